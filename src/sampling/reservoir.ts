/** Epoch milliseconds; injectable so tests can step time. */
export type Clock = () => number;

/**
 * The local rules' reservoir: up to `perSecond` decisions per calendar second are "borrowed"
 * (sampled regardless of the rate), as the X-Ray SDKs' local reservoirs do.
 */
export class Reservoir {
  private second = Number.NaN;
  private used = 0;

  constructor(
    readonly perSecond: number,
    private readonly now: Clock = Date.now,
  ) {}

  take(): boolean {
    if (this.perSecond <= 0) return false;
    const second = Math.floor(this.now() / 1000);
    if (second !== this.second) {
      this.second = second;
      this.used = 0;
    }
    if (this.used >= this.perSecond) return false;
    this.used++;
    return true;
  }
}
