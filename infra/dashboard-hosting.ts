/**
 * The marketers' dashboard as a static site: a private bucket behind CloudFront with origin
 * access control (CloudFront alone reads the bucket), and the esbuild bundle deployed into it.
 * The page names the API's URL, which exists only at deploy time: its index.html is written
 * then, from the built page with the placeholder replaced.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type CfnResource, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { DASHBOARD_API_URL_PLACEHOLDER } from '#shared/contract/index';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

let built: string | undefined;

/** Builds the dashboard once per synth process with the project's own esbuild (no Docker, no network). */
const buildDashboardOnce = (): string => {
  if (built) return built;
  const outDir = mkdtempSync(join(tmpdir(), 'seg-dashboard-'));
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'scripts/build-dashboard.ts'), outDir],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0) throw new Error(`building the dashboard failed (exit ${result.status})`);
  built = outDir;
  return outDir;
};

export interface DashboardHostingProps {
  /** The API's public URL, written into the page at deploy time. */
  readonly apiUrl: string;
  readonly prod: boolean;
}

export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
    const site = buildDashboardOnce();
    const page = readFileSync(join(site, 'index.html'), 'utf8');
    if (!page.includes(DASHBOARD_API_URL_PLACEHOLDER))
      throw new Error('the built dashboard page names no API URL');
    this.bucket = new s3.Bucket(this, 'Site', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      // The site is rebuilt from the repository on every deploy: nothing to keep.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    this.distribution = new cloudfront.Distribution(this, 'Cdn', {
      comment: 'Segmentation dashboard',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: cloudfront.ResponseHeadersPolicy.SECURITY_HEADERS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
      },
      priceClass: props.prod ? cloudfront.PriceClass.PRICE_CLASS_ALL : cloudfront.PriceClass.PRICE_CLASS_100,
    });
    new s3deploy.BucketDeployment(this, 'Deploy', {
      destinationBucket: this.bucket,
      sources: [
        s3deploy.Source.asset(site, { exclude: ['index.html'] }),
        s3deploy.Source.data('index.html', page.replace(DASHBOARD_API_URL_PLACEHOLDER, props.apiUrl)),
      ],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    this.acknowledgeNagFindings();
  }

  /** The AwsSolutions findings the static site accepts, each with the reason (see nag-acknowledgements.ts). */
  private acknowledgeNagFindings(): void {
    const ack = (scope: Construct, id: string, reason: string) =>
      Validations.of(scope).acknowledge({ id, reason });
    const cdn = this.distribution;
    ack(
      cdn,
      'AwsSolutions-CFR1',
      "The dashboard is for the shop's own staff wherever they are; its data is behind the API keys.",
    );
    ack(
      cdn,
      'AwsSolutions-CFR2',
      'The site is static files with no data; every figure comes from the API, which checks keys and is throttled. A web ACL would cost more than it protects.',
    );
    ack(
      cdn,
      'AwsSolutions-CFR3',
      'Static files only: the API logs every data access; CloudFront logs would hold nothing useful.',
    );
    ack(
      cdn,
      'AwsSolutions-CFR4',
      'The default CloudFront domain and certificate; a shop that wants TLS 1.2 minimum puts its own domain and certificate in front (docs/deploying.md).',
    );
    ack(
      this.bucket,
      'AwsSolutions-S1',
      'Only CloudFront (origin access control) and the deployment read or write this bucket of build output.',
    );
    // CDK's BucketDeployment handler: one function per stack, owned by aws-cdk-lib.
    const handler = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (!handler) throw new Error('BucketDeployment created no handler');
    const reason =
      "aws-cdk-lib's BucketDeployment handler: its runtime, managed execution policy and asset-copy permissions are the library's, scoped to the CDK asset bucket and this site's bucket.";
    const siteArn = `<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnResource)}.Arn>`;
    const granted = [
      'AwsSolutions-L1',
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      ...['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'].map(
        (action) => `AwsSolutions-IAM5[Action::${action}]`,
      ),
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
      `AwsSolutions-IAM5[Resource::${siteArn}/*]`,
      'AwsSolutions-IAM5[Resource::*]',
    ];
    for (const id of granted) ack(handler, id, reason);
  }

  /** The dashboard's address. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
