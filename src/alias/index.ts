// `xray-otel-bridge/alias`: a preload (`--require` or `--import`) that redirects the X-Ray SDK's
// package names to the drop-in. Loading it is what installs it.
import { installAlias } from './install.js';

installAlias();
