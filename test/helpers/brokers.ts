// Real message brokers from Debian's packages, started by the tests on free loopback ports with
// generated configs in a fresh temp dir: Mosquitto with a WebSocket listener (MQTT) and RabbitMQ
// with the Web-STOMP plugin (STOMP). Both run as whoever runs the tests, root or not; neither
// touches the system services' configs, data or ports.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { freePort, LOOPBACK, waitForPort } from '../../support/ports.js';
import { startDaemon, type Daemon } from './daemonProcess.js';
import { missingExecutableMessage, requireExecutable } from './requireComponent.js';

export const MOSQUITTO_CANDIDATES = ['/usr/sbin/mosquitto', 'mosquitto'];
export const MOSQUITTO_INSTALL_HINT = 'apt-get install -y mosquitto';
export const MOSQUITTO_MISSING_MESSAGE = missingExecutableMessage(
  'mosquitto',
  MOSQUITTO_CANDIDATES,
  MOSQUITTO_INSTALL_HINT,
);

// The package's own script, not /usr/sbin/rabbitmq-server: that wrapper cds to /var/lib/rabbitmq
// and, run as root, switches to the rabbitmq user, who cannot read our temp dir.
export const RABBITMQ_CANDIDATES = ['/usr/lib/rabbitmq/bin/rabbitmq-server', 'rabbitmq-server'];
export const RABBITMQ_INSTALL_HINT = 'apt-get install -y rabbitmq-server (Web-STOMP ships with it)';
export const RABBITMQ_MISSING_MESSAGE = missingExecutableMessage(
  'rabbitmq-server',
  RABBITMQ_CANDIDATES,
  RABBITMQ_INSTALL_HINT,
);

/** The mosquitto executable, or null (outside CI) when it is not installed; throws in CI. */
export function findMosquitto(): string | null {
  return requireExecutable('mosquitto', MOSQUITTO_CANDIDATES, MOSQUITTO_INSTALL_HINT);
}

/** RabbitMQ's rabbitmq-server script, or null (outside CI) when it is not installed; throws in CI. */
export function findRabbitmq(): string | null {
  return requireExecutable('rabbitmq-server', RABBITMQ_CANDIDATES, RABBITMQ_INSTALL_HINT);
}

export interface MosquittoBroker extends Omit<Daemon, 'errorLog'> {
  /** ws://127.0.0.1:<port>/ (Mosquitto ignores the path). */
  url: string;
}

/**
 * The mosquitto.conf startMosquitto writes. Mosquitto 2.0.11 (Debian 12) refuses to start with
 * only a WebSocket listener ("Unable to start any listening sockets"), so a plain MQTT listener
 * on another loopback port comes first; the tests do not use it.
 */
export function mosquittoConfig(where: { port: number; mqttPort: number }): string {
  return [
    'per_listener_settings false',
    'allow_anonymous true',
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    `listener ${where.mqttPort} ${LOOPBACK}`,
    `listener ${where.port} ${LOOPBACK}`,
    'protocol websockets',
    '',
  ].join('\n');
}

/** Starts Mosquitto with a WebSocket listener on a free port; stop() ends it. */
export async function startMosquitto(executable: string, startTimeoutMs = 10_000): Promise<MosquittoBroker> {
  const mqttPort = await freePort();
  const daemon = await startDaemon({
    name: 'mosquitto',
    executable,
    args: ({ configPath }) => ['-c', configPath],
    config: ({ port }) => mosquittoConfig({ port, mqttPort }),
    configFile: 'mosquitto.conf',
    tempPrefix: 'ws-inspector-mosquitto-',
    startTimeoutMs,
  });
  return { ...daemon, url: `ws://${LOOPBACK}:${daemon.port}/` };
}

export interface RabbitmqBroker {
  /** The Web-STOMP port on 127.0.0.1. */
  port: number;
  /** ws://127.0.0.1:<port>/ws, Web-STOMP's default path. */
  url: string;
  /** How long the node took from spawn to accepting Web-STOMP connections. */
  startedInMs: number;
  prefix: string;
  config: string;
  /** SIGTERM to the whole process group, SIGKILL after 10 s; waits for exit, removes the temp dir. */
  stop(): Promise<void>;
  /** The node's console log so far. */
  output(): string;
}

/** The rabbitmq.conf startRabbitmq writes: loopback listeners only, console logging, no management. */
export function rabbitmqConfig(ports: { amqp: number; webStomp: number }): string {
  return [
    `listeners.tcp.default = ${LOOPBACK}:${ports.amqp}`,
    `web_stomp.tcp.port = ${ports.webStomp}`,
    `web_stomp.tcp.ip = ${LOOPBACK}`,
    // The management plugin is not in enabled_plugins, so no HTTP listener opens.
    'log.console = true',
    'log.console.level = info',
    'log.file = false',
    '',
  ].join('\n');
}

const RABBITMQ_STOP_GRACE_MS = 10_000;
let rabbitmqCount = 0;
const runningGroups = new Set<{ child: ChildProcess; prefix: string }>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group is gone already
  }
}

/**
 * Starts a RabbitMQ node with only the Web-STOMP plugin, everything in a temp dir: its own
 * node name, data (mnesia), logs, enabled_plugins and HOME (so the Erlang cookie is its own
 * and never the system's /var/lib/rabbitmq/.erlang.cookie). The Erlang VM runs in its own
 * process group, which stop() ends whole. Rejects with the node's output when it exits or does
 * not accept Web-STOMP connections within `startTimeoutMs` (60 s at most).
 */
export async function startRabbitmq(executable: string, startTimeoutMs = 60_000): Promise<RabbitmqBroker> {
  const [amqp, dist, webStomp] = [await freePort(), await freePort(), await freePort()];
  const prefix = mkdtempSync(join(tmpdir(), 'ws-inspector-rabbitmq-'));
  const config = rabbitmqConfig({ amqp, webStomp });
  const configPath = join(prefix, 'rabbitmq.conf');
  writeFileSync(configPath, config);
  writeFileSync(join(prefix, 'enabled_plugins'), '[rabbitmq_web_stomp].\n');
  // An empty env file, so /etc/rabbitmq/rabbitmq-env.conf cannot override what we set.
  writeFileSync(join(prefix, 'rabbitmq-env.conf'), '');

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: prefix,
    RABBITMQ_NODENAME: `wsi-${process.pid}-${++rabbitmqCount}@localhost`,
    RABBITMQ_NODE_IP_ADDRESS: LOOPBACK,
    RABBITMQ_NODE_PORT: String(amqp),
    RABBITMQ_DIST_PORT: String(dist),
    RABBITMQ_CONFIG_FILE: configPath,
    RABBITMQ_ADVANCED_CONFIG_FILE: join(prefix, 'advanced.config'),
    RABBITMQ_CONF_ENV_FILE: join(prefix, 'rabbitmq-env.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(prefix, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(prefix, 'mnesia'),
    RABBITMQ_LOG_BASE: join(prefix, 'log'),
    RABBITMQ_PID_FILE: join(prefix, 'rabbitmq.pid'),
  };
  const startedAt = performance.now();
  const child = spawn(executable, [], { env, cwd: prefix, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const entry = { child, prefix };
  runningGroups.add(entry);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const running of runningGroups) {
        killGroup(running.child, 'SIGKILL');
        rmSync(running.prefix, { recursive: true, force: true });
      }
    });
  }

  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exited = new Promise<string>((resolve) => {
    child.once('error', (error) => resolve(`could not run ${executable}: ${error.message}`));
    child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exit code ${code}`));
  });

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      killGroup(child, 'SIGTERM');
      const killer = setTimeout(() => killGroup(child, 'SIGKILL'), RABBITMQ_STOP_GRACE_MS);
      await exited;
      clearTimeout(killer);
      // The script may exit before the VM: make sure nothing of the group is left.
      killGroup(child, 'SIGKILL');
      runningGroups.delete(entry);
      await rm(prefix, { recursive: true, force: true });
    })();
    return stopping;
  };

  const earlyExit = new AbortController();
  let exitDescription: string | null = null;
  void exited.then((description) => {
    exitDescription = description;
    earlyExit.abort(new Error(description));
  });
  try {
    await waitForPort(webStomp, Math.min(startTimeoutMs, 60_000), { signal: earlyExit.signal, intervalMs: 100 });
  } catch (error) {
    await stop();
    const reason =
      exitDescription !== null
        ? `RabbitMQ exited before Web-STOMP listened (${exitDescription})`
        : `RabbitMQ did not start: ${(error as Error).message}`;
    throw new Error(`${reason}\n--- rabbitmq output ---\n${output.trim()}\n--- rabbitmq.conf ---\n${config}`);
  }
  return {
    port: webStomp,
    url: `ws://${LOOPBACK}:${webStomp}/ws`,
    startedInMs: Math.round(performance.now() - startedAt),
    prefix,
    config,
    stop,
    output: () => output,
  };
}
