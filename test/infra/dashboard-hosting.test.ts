/**
 * Issue 16: the stack deploys the marketers' dashboard as a static site — a private bucket that
 * only CloudFront reads (origin access control), the build deployed into it, and the page told
 * where the API is at deploy time.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { dataBucket, single, synth } from './template';

describe('dashboard hosting', () => {
  const { template } = synth();
  const siteId = Object.keys(template.findResources('AWS::S3::Bucket')).find(
    (id) => id !== dataBucket(template).id,
  ) as string;

  it('serves the site over HTTPS from CloudFront, index.html at the root', () => {
    const cdn = single(template, 'AWS::CloudFront::Distribution');
    expect(cdn.props).toMatchObject({
      DistributionConfig: {
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
      },
    });
  });

  it('keeps the bucket private: public access blocked, only the distribution may read, through origin access control', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const policy = single(template, 'AWS::S3::BucketPolicy', { Bucket: { Ref: siteId } });
    const statements = (policy.props.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement;
    const read = statements.find((s) =>
      JSON.stringify(s.Principal ?? '').includes('cloudfront.amazonaws.com'),
    );
    expect(read).toMatchObject({ Effect: 'Allow', Action: 's3:GetObject' });
    expect(JSON.stringify(read?.Condition)).toContain('AWS:SourceArn');
    expect(
      statements.filter((s) => s.Effect === 'Allow' && s.Principal === '*'),
      'no public read',
    ).toEqual([]);
  });

  it('deploys the build and a page written at deploy time with the API URL', () => {
    const deployment = single(template, 'Custom::CDKBucketDeployment');
    expect(deployment.props).toMatchObject({
      DestinationBucketName: { Ref: siteId },
      DistributionPaths: ['/*'],
    });
    expect((deployment.props.SourceObjectKeys as unknown[]).length).toBe(2);
    // The page's markers name the API's endpoint, resolved at deploy time.
    expect(JSON.stringify(deployment.props.SourceMarkers)).toContain('ApiEndpoint');
    template.hasOutput('SegmentsDashboardUrl', { Value: Match.anyValue() });
  });
});
