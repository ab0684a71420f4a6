// A second "host" for the network tests (office.test.mjs, bandwidth.test.mjs): a network
// namespace joined to the machine by a veth pair, and a Chromium started inside it. The test
// server listens on the host's end; what the namespace may send is up to the test (nftables,
// tc). Root is needed. Every name carries the process id and a tag, so two files never collide.

import { spawnSync, execFileSync } from 'node:child_process';
import { writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

/** Chromium switches of both network tests; `secureOrigin` is the test server's base URL
 * (camera and microphone need a secure context, and http on a 10.x address is not one). */
export function chromiumArgs(secureOrigin, extra = []) {
  return [
    '--headless', '--no-sandbox', '--disable-gpu',
    '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', `--unsafely-treat-insecure-origin-as-secure=${secureOrigin}`, ...extra,
  ];
}

export function sh(cmd, args) {
  return execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
}

/** Names and addresses of a namespace; `tag` (a few letters) and `net` (the second octet of
 * a 10.x.y.0/24) keep two test files apart. Nothing is created until `up()`. */
export function namespace(tag, net) {
  const id = process.pid % 10000;
  const octet = 1 + ((process.pid + net) % 250);
  const ns = {
    name: `vlk-${tag}-${id}`,
    hostIf: `vl${tag}h${id}`,
    innerIf: `vl${tag}i${id}`,
    hostIp: `10.${net}.${octet}.1`,
    innerIp: `10.${net}.${octet}.2`,
    /** Runs a command inside the namespace. */
    run: (...args) => sh('ip', ['netns', 'exec', ns.name, ...args]),
    up() {
      ns.down();
      sh('ip', ['netns', 'add', ns.name]);
      sh('ip', ['link', 'add', ns.hostIf, 'type', 'veth', 'peer', 'name', ns.innerIf]);
      sh('ip', ['link', 'set', ns.innerIf, 'netns', ns.name]);
      sh('ip', ['addr', 'add', `${ns.hostIp}/24`, 'dev', ns.hostIf]);
      sh('ip', ['link', 'set', ns.hostIf, 'up']);
      ns.run('ip', 'addr', 'add', `${ns.innerIp}/24`, 'dev', ns.innerIf);
      ns.run('ip', 'link', 'set', ns.innerIf, 'up');
      ns.run('ip', 'link', 'set', 'lo', 'up');
    },
    down() {
      for (const args of [['link', 'del', ns.hostIf], ['netns', 'del', ns.name]]) {
        spawnSync('ip', args, { stdio: 'ignore' });
      }
    },
    /** A Chromium inside the namespace; playwright talks to it over a pipe, which
     * `ip netns exec` passes on. The wrapper script goes into `dir`. */
    async chromium(dir, args) {
      const wrapper = path.join(dir, `chromium-in-${ns.name}`);
      writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns.name} ${CHROMIUM} "$@"\n`);
      chmodSync(wrapper, 0o755);
      return chromium.launch({ executablePath: wrapper, args });
    },
  };
  return ns;
}

/** A Chromium on the host itself. */
export function hostChromium(args) {
  return chromium.launch({ executablePath: CHROMIUM, args });
}
