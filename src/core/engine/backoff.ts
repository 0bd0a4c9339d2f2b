import type { ReconnectConfig } from '../model/endpoint.js';

/**
 * Delay before reconnect attempt number `attempt` (1-based): exponential growth capped
 * at maxDelayMs, then jittered downwards so that many clients cut by the same proxy do
 * not all come back in the same millisecond.
 */
export function reconnectDelay(config: ReconnectConfig, attempt: number, random: () => number): number {
  const exponent = Math.max(0, attempt - 1);
  const base = Math.min(config.maxDelayMs, config.initialDelayMs * Math.pow(config.multiplier, exponent));
  const jittered = base * (1 - config.jitter * random());
  return Math.max(0, Math.round(jittered));
}
