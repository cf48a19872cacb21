/**
 * The stack's side of browser tracking: browser keys and the public URL from CDK context reach
 * the ingest function's environment in the format the function reads, a bad value stops the
 * synth naming it, and no other function sees them.
 */
import { describe, expect, it } from 'vitest';
import { runtimeConfigFromEnv } from '#shared/adapters/runtime-config';
import { ENV } from '#shared/contract/environment';
import { functionByDescription, single, synth } from './template';

const INGEST = 'Segment HTTP Tracking API ingestion';
const READ_API = 'Shopper profile read API';

const variablesOf = (template: ReturnType<typeof synth>['template'], description: string) =>
  (functionByDescription(template, description).props.Environment as { Variables: Record<string, unknown> })
    .Variables;

const SHOP = { 'shop-browser-key': ['https://shop.example', 'https://www.shop.example'] };

describe('browser keys and the public URL in the stack', () => {
  it('passes context browserKeys (as cdk.json holds it, or as -c JSON text) to ingest only', () => {
    for (const context of [SHOP, JSON.stringify(SHOP)]) {
      const { template } = synth({}, { browserKeys: context });
      const variables = variablesOf(template, INGEST);
      expect(JSON.parse(variables[ENV.browserKeys] as string)).toEqual(SHOP);
      expect(variablesOf(template, READ_API)).not.toHaveProperty(ENV.browserKeys);
      // What the function reads at cold start.
      const config = runtimeConfigFromEnv({
        PROFILES_TABLE: 'p',
        EVENTS_TABLE: 'e',
        [ENV.browserKeys]: variables[ENV.browserKeys] as string,
      });
      expect(config.browserKeys).toEqual(SHOP);
    }
  });

  it('points the browser SDKs at the API endpoint, or at publicApiUrl when given', () => {
    const { template } = synth();
    const apiId = single(template, 'AWS::ApiGatewayV2::Api').id;
    expect(variablesOf(template, INGEST)[ENV.publicApiUrl]).toEqual({ 'Fn::GetAtt': [apiId, 'ApiEndpoint'] });
    const custom = synth({}, { publicApiUrl: 'https://track.shop.example' }).template;
    expect(variablesOf(custom, INGEST)[ENV.publicApiUrl]).toBe('https://track.shop.example');
  });

  it.each([
    ['not JSON', '{shop: 1}', /JSON object/],
    ['a list', '["https://shop.example"]', /JSON object/],
    ['an origin with a path', JSON.stringify({ k: ['https://shop.example/cart'] }), /shop\.example\/cart/],
    ['an origin with a trailing slash', JSON.stringify({ k: ['https://shop.example/'] }), /not an origin/],
    ['no origin', JSON.stringify({ k: [] }), /at least one origin/],
    ['a key with a colon', JSON.stringify({ 'a:b': ['https://shop.example'] }), /key 1/],
  ])('stops the synth on browserKeys with %s, naming it', (_label, value, message) => {
    expect(() => synth({}, { browserKeys: value })).toThrow(message);
  });

  it('stops the synth on a publicApiUrl that is not an http(s) URL', () => {
    expect(() => synth({}, { publicApiUrl: 'track.shop.example' })).toThrow(/publicApiUrl/);
  });
});
