/**
 * The marketers' dashboard as a static site: a private bucket behind CloudFront with origin
 * access control (CloudFront alone reads the bucket), and the esbuild bundle deployed into it.
 * Its index.html names the API's URL, which exists only at deploy time: it is written then.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DockerImage, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import { dashboardHtml } from '#dashboard/build';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The dashboard's files, built by the project's own esbuild at synth (no Docker, no network). */
export const dashboardSource = (): s3deploy.ISource =>
  s3deploy.Source.asset(`${ROOT}dashboard`, {
    bundling: {
      // Never pulled: local bundling always succeeds or fails the synth.
      image: DockerImage.fromRegistry('scratch'),
      local: {
        tryBundle(outputDir) {
          const built = spawnSync(
            process.execPath,
            ['--import', 'tsx', `${ROOT}scripts/build-dashboard.ts`, outputDir],
            { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] },
          );
          if (built.status !== 0) throw new Error(`building the dashboard failed (exit ${built.status})`);
          return true;
        },
      },
    },
  });

export interface DashboardHostingProps {
  readonly source: s3deploy.ISource;
  /** The API's public URL, written into the page's index.html. */
  readonly apiUrl: string;
  readonly prod: boolean;
}

export class DashboardHosting extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: DashboardHostingProps) {
    super(scope, id);
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
      sources: [props.source, s3deploy.Source.data('index.html', dashboardHtml(props.apiUrl))],
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
  }

  /** The dashboard's address. */
  get url(): string {
    return `https://${this.distribution.distributionDomainName}`;
  }
}
