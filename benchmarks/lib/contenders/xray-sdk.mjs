// The legacy aws-xray-sdk-core (3.x): cls-hooked context (async_hooks), the shared legacy
// program (legacy-program.mjs), each closed segment sent whole over UDP.
import { createRequire } from 'node:module';
import { createLegacyContender } from './legacy-program.mjs';

const require = createRequire(import.meta.url);

export const name = 'xray-sdk';
export const label = 'aws-xray-sdk-core';

export async function create({ daemonAddress }) {
  // The SDK reads AWS_XRAY_DAEMON_ADDRESS when it loads; set it first in case the caller did not.
  if (daemonAddress) process.env.AWS_XRAY_DAEMON_ADDRESS = daemonAddress;
  const version = require('aws-xray-sdk-core/package.json').version;
  return createLegacyContender(require('aws-xray-sdk-core'), { name, label: `${label} ${version}` });
}
