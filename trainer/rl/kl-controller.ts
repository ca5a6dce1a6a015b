// The KL coefficient β of the online trainers (PPO, GRPO, RLOO): fixed, or Ziegler et al.'s adaptive controller that
// moves it toward a target KL after every rollout, so one default serves strong and weak reward models alike.

/** Ziegler et al.'s adaptive KL controller: β moves by at most ±20%·(episodes/horizon) toward the target KL. */
export class KlController {
  constructor(
    public value: number,
    private readonly adaptive: boolean,
    private readonly target: number,
    private readonly horizon: number,
  ) {}

  /** After a rollout of `episodes` sequences whose mean KL to the reference was `currentKl` nats. */
  update(currentKl: number, episodes: number): void {
    if (!this.adaptive) return;
    const error = Math.min(0.2, Math.max(-0.2, currentKl / this.target - 1));
    this.value *= 1 + (error * episodes) / this.horizon;
  }
}
