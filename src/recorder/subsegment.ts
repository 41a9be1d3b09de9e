import type { Context, Span } from '@opentelemetry/api';
import { defineAliases, type AliasTable, type Aliases } from './aliases.js';
import { Entity, EntityMode, type EntityHost } from './entity.js';
import type { Segment } from './segment.js';

export type SubsegmentNamespace = 'aws' | 'remote';

/** X-Ray's subsegment: a unit of work inside a segment, as an INTERNAL (or CLIENT) child span. */
export class SubsegmentMethods extends Entity {
  /** The segment this subsegment belongs to. */
  readonly segment: Segment;
  /** The entity it was begun in (its parent, unless an OTel span sits in between). */
  readonly parent: Entity;
  readonly namespace: SubsegmentNamespace | undefined;

  /** @internal */
  constructor(
    host: EntityHost,
    name: string,
    span: Span,
    parentContext: Context,
    parentId: string | undefined,
    parent: Entity,
    namespace: SubsegmentNamespace | undefined,
  ) {
    super(host, name, span, parentContext, parentId, EntityMode.Owned);
    this.segment = parent.segment;
    this.parent = parent;
    this.namespace = namespace;
  }

  /** Its parent never ends before it (see `Entity.endTimeFor`). */
  protected override closed(): void {
    this.parent.childEnded(this.span);
  }

  get kind(): 'subsegment' {
    return 'subsegment';
  }

  get parentSegment(): Segment {
    return this.segment;
  }
}

/** Python's names for what only a subsegment has; see aliases.ts. */
const SUBSEGMENT_ALIASES = {
  parent_segment: 'parentSegment',
} as const satisfies AliasTable<SubsegmentMethods>;

export interface Subsegment extends Aliases<SubsegmentMethods, typeof SUBSEGMENT_ALIASES> {}
/** X-Ray's subsegment, under every SDK's names. */
export class Subsegment extends SubsegmentMethods {}
defineAliases(Subsegment, SUBSEGMENT_ALIASES);
