import { mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoModules = fileURLToPath(new URL('../../node_modules', import.meta.url));

/**
 * Makes `target` a node_modules of links to this repository's packages, without those named in
 * `leftOut` (a package, or a whole `@scope`): an application directory for a child process, with
 * exactly the packages a test wants it to have.
 */
export function linkModules(target: string, leftOut: ReadonlySet<string> = new Set()): void {
  mkdirSync(target);
  for (const name of readdirSync(repoModules)) {
    if (name.startsWith('.') || leftOut.has(name)) continue;
    if (name.startsWith('@')) {
      mkdirSync(join(target, name));
      for (const sub of readdirSync(join(repoModules, name))) {
        if (!leftOut.has(`${name}/${sub}`)) symlinkSync(join(repoModules, name, sub), join(target, name, sub));
      }
    } else {
      symlinkSync(join(repoModules, name), join(target, name));
    }
  }
}
