import type { Context, Span } from '@opentelemetry/api';
import { ATTR_ENDUSER_ID } from '../common/attributes.js';
import { defineAliases, type AliasTable, type Aliases } from './aliases.js';
import { Entity, EntityMode, type EntityHost } from './entity.js';
import { describe } from './values.js';


/**
 * X-Ray's segment: the work one service does for one request, as a SERVER span. Also stands for
 * segments the recorder did not start: Lambda's (a read-only facade) and an OTel server span
 * that legacy code reaches through `currentSegment()` (adopted).
 */
export abstract class SegmentMethods extends Entity {
  /** @internal */
  constructor(host: EntityHost, name: string, span: Span, parentContext: Context, parentId: string | undefined, mode: EntityMode = EntityMode.Owned) {
    super(host, name, span, parentContext, parentId, mode);
  }

  get kind(): 'segment' {
    return 'segment';
  }

  get segment(): Segment {
    // Segment is the only class built on SegmentMethods.
    return this as unknown as Segment;
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

/** Python's names for what only a segment has; see aliases.ts. */
const SEGMENT_ALIASES = {
  set_user: 'setUser',
} as const satisfies AliasTable<SegmentMethods>;

export interface Segment extends Aliases<SegmentMethods, typeof SEGMENT_ALIASES> {}
/** X-Ray's segment, under every SDK's names. */
export class Segment extends SegmentMethods {}
defineAliases(Segment, SEGMENT_ALIASES);
