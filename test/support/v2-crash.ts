// A comparison where trylock-v2 crashes in some seeds and not others:
// scenarios/v2-list-corruption.scn, shorter and with drains every 30 us.
// With `runs 5` trylock-v2 ends seeds 3 and 4 in list_del corruption
// and completes seeds 1, 2 and 5; at `"io".rate` 20k/s every seed completes.
// Tests that count crashed runs build on it; HEAD goes after `duration`.
export const v2CrashScenario = (head: string, expects = "") => `scenario "v2-crash" {
  cpus 4
  memory 1GiB
  duration 20ms
  ${head}

  workload "io" on cpus 0-2 in task {
    rate 50k/s
    alloc order 0 gfp GFP_HIGHUSER_MOVABLE
    free batch 64 after exp(200us) in softirq
  }

  workload "drainer" on cpus 3 in task {
    every 30us
    drain
  }

  expect invariants.violations > 0 for trylock-v2
  ${expects}
}
`;
