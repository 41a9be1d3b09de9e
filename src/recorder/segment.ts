import type { Context, Span } from '@opentelemetry/api';
import { Entity, EntityMode, defineAliases, describe, type EntityHost } from './entity.js';

const ATTR_ENDUSER_ID = 'enduser.id';

/**
 * X-Ray's segment: the work one service does for one request, as a SERVER span. Also stands for
 * segments the recorder did not start: Lambda's (a read-only facade) and an OTel server span
 * that legacy code reaches through `currentSegment()` (adopted).
 */
export class Segment extends Entity {
  declare set_user: Segment['setUser'];

  /** @internal */
  constructor(host: EntityHost, name: string, span: Span, parentContext: Context, parentId: string | undefined, mode: EntityMode = EntityMode.Owned) {
    super(host, name, span, parentContext, parentId, mode);
  }

  get kind(): 'segment' {
    return 'segment';
  }

  get segment(): Segment {
    return this;
  }

  /** True for the read-only segment Lambda owns. */
  get isFacade(): boolean {
    return this.mode === EntityMode.Facade;
  }

  /** The end user this request is for: `enduser.id`, X-Ray's `user`. */
  setUser(user: string): void {
    if (!this.writable('setUser')) return;
    if (typeof user !== 'string' || user === '') {
      this.warn(`setUser: ${describe(user)} is not a non-empty string; ignored`);
      return;
    }
    this.span.setAttribute(ATTR_ENDUSER_ID, user);
  }
}

defineAliases(Segment.prototype, [['set_user', 'setUser']]);
