import { readFileSync } from 'node:fs';
import type { Attributes } from '@opentelemetry/api';
import { runtime } from './runtime.js';

/**
 * The SDK's plugins, as OpenTelemetry resource detection: each names the platform (`cloud.*`
 * resource attributes, from which the exporter writes `origin`) and what can be read locally.
 * The SDK's EC2 and ECS plugins call the instance and task metadata endpoints; the drop-in makes
 * no network call: use `@opentelemetry/resource-detector-aws` on your own provider for those fields.
 */
export interface Plugin {
  readonly originName: string;
  /** Resource attributes this plugin contributes. */
  detect(): Attributes;
  /** The SDK's signature: calls back with the plugin's data (the `aws` block fields), or nothing. */
  getData(callback: (data?: Record<string, unknown>) => void): void;
}

function plugin(originName: string, platform: string, detect: () => Attributes = () => ({})): Plugin {
  return {
    originName,
    detect: () => ({ 'cloud.provider': 'aws', 'cloud.platform': platform, ...detect() }),
    getData: (callback) => callback(),
  };
}

const EB_CONF = '/var/elasticbeanstalk/xray/environment.conf';

export const EC2Plugin: Plugin = plugin('AWS::EC2::Instance', 'aws_ec2');
export const ECSPlugin: Plugin = plugin('AWS::ECS::Container', 'aws_ecs', () => {
  const host = process.env.HOSTNAME;
  return host ? { 'container.name': host } : {};
});
export const ElasticBeanstalkPlugin: Plugin = plugin('AWS::ElasticBeanstalk::Environment', 'aws_elastic_beanstalk', () => {
  try {
    const conf = JSON.parse(readFileSync(EB_CONF, 'utf8')) as Record<string, unknown>;
    const out: Attributes = {};
    if (typeof conf.environment_name === 'string') out['service.namespace'] = conf.environment_name;
    if (typeof conf.version_label === 'string') out['service.version'] = conf.version_label;
    if (conf.deployment_id !== undefined) out['service.instance.id'] = String(conf.deployment_id);
    return out;
  } catch (err) {
    runtime.logger.error(`Error loading Elastic Beanstalk plugin metadata: ${err instanceof Error ? err.message : String(err)}`);
    return {};
  }
});

/** `config([plugins])`: the plugins' attributes join the resource of the pipeline the drop-in registers. */
export function config(plugins: Plugin[]): void {
  if (!Array.isArray(plugins)) {
    runtime.logger.error('config: plugins must be an array of AWSXRay.plugins entries; ignored');
    return;
  }
  const attributes: Attributes = {};
  for (const p of plugins) {
    if (p === null || typeof p !== 'object' || typeof p.detect !== 'function') {
      runtime.logger.error('config: not one of AWSXRay.plugins (EC2Plugin, ECSPlugin, ElasticBeanstalkPlugin); ignored');
      continue;
    }
    Object.assign(attributes, p.detect());
  }
  runtime.addResourceAttributes(attributes);
}
