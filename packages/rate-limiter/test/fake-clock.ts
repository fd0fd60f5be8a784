/** A clock the test moves by hand. */
export class FakeClock {
  time: number;

  constructor(start = 0) {
    this.time = start;
  }

  readonly now = (): number => this.time;

  set(time: number): this {
    this.time = time;
    return this;
  }
}
