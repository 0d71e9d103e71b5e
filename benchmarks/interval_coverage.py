"""Coverage of the two 95% intervals of a mention rate, over simulated prompt populations.

A team's prompts stand for the questions people ask, so the number it wants is the
population's rate: the mean, over prompts like these, of each prompt's rate. Each run draws
``prompts`` prompts from a population of per-prompt rates (seeded), asks each ``samples``
times (Bernoulli answers), and checks whether each interval holds the population's rate:

- answer level (``low`` / ``high``): Wilson over all answers, as if independent;
- prompt level (``prompt_low`` / ``prompt_high``): CR2 cluster-robust variance of the ratio
  estimator, t on prompts - 1 degrees of freedom, never narrower than Wilson.

Pure functions of ``langchain_dataforseo.visibility._stats``; no network, no emulator.

    python benchmarks/interval_coverage.py            # 12 and 30 prompts x 5 samples, 1000 runs
    python benchmarks/interval_coverage.py --runs 200
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable

from langchain_dataforseo.visibility._stats import clustered_rate

Population = tuple[str, float, Callable[[random.Random], float]]


def populations() -> list[Population]:
    """The simulated populations: (name, population rate, draw one prompt's rate)."""
    return [
        ("half 95% / half 5%", 0.5, lambda r: 0.95 if r.random() < 0.5 else 0.05),
        ("beta(2, 3)", 2 / 5, lambda r: r.betavariate(2, 3)),
        ("beta(0.5, 2), skewed", 0.5 / 2.5, lambda r: r.betavariate(0.5, 2)),
        ("beta(0.5, 0.5), U-shaped", 0.5, lambda r: r.betavariate(0.5, 0.5)),
        ("homogeneous 30%", 0.3, lambda r: 0.3),
    ]


def coverage(
    draw: Callable[[random.Random], float],
    truth: float,
    prompts: int,
    samples: int,
    runs: int,
    seed: int,
) -> tuple[float, float, float, float]:
    """Share of runs whose answer-level / prompt-level interval holds ``truth``, and widths."""
    rng = random.Random(seed)
    wilson_in = prompt_in = 0
    wilson_width = prompt_width = 0.0
    for _ in range(runs):
        clusters = []
        for _ in range(prompts):
            p = draw(rng)
            clusters.append((sum(rng.random() < p for _ in range(samples)), samples))
        r = clustered_rate(clusters)
        low, high = r.low or 0.0, r.high or 0.0  # defined: n > 0
        p_low, p_high = r.prompt_low or 0.0, r.prompt_high or 0.0  # defined: prompts >= 2
        wilson_in += low <= truth <= high
        prompt_in += p_low <= truth <= p_high
        wilson_width += high - low
        prompt_width += p_high - p_low
    return wilson_in / runs, prompt_in / runs, wilson_width / runs, prompt_width / runs


def main() -> None:
    """Print the coverage table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    print(f"{args.runs} runs each, {args.samples} samples per prompt, seed {args.seed}")
    print("| population | prompts | Wilson (answer level) | prompt level | mean width W / P |")
    print("| --- | --- | --- | --- | --- |")
    for index, (name, truth, draw) in enumerate(populations()):
        for prompts in (12, 30):
            w, p, ww, pw = coverage(
                draw, truth, prompts, args.samples, args.runs, args.seed + 100 * index + prompts
            )
            print(f"| {name} | {prompts} | {w:.1%} | {p:.1%} | {ww:.3f} / {pw:.3f} |")


if __name__ == "__main__":
    main()
