'use strict';
// The Node contenders of hookengine's benchmarks: Node's vm module and
// isolated-vm, running the same hooks, inputs and driver (../testdata) as the
// Go contenders. It prints results in Go's benchmark format, so that
// cmd/benchtable and benchstat read them like the Go ones.
//
//   node --no-node-snapshot --expose-gc harness.js [flags]
//
//   --benchtime=MS      measure each benchmark for about MS milliseconds (1000)
//   --bench=REGEXP      run only the benchmarks whose full name matches
//   --count=N           run each timed benchmark N times (1)
//   --latency-runs=N    runs of the endless hook per contender (100)
//   --check             run every hook once per contender and print the
//                       answers as JSON lines (for the Go correctness test)
//   --list              print the names of the benchmarks the other flags
//                       select, one per line, and run nothing
//
// isolated-vm needs --no-node-snapshot on Node 20. --expose-gc lets the
// memory benchmark collect garbage before it measures.

const fs = require('fs');
const path = require('path');
const vm = require('vm');
const v8 = require('v8');
const os = require('os');
const { Worker } = require('worker_threads');

let ivm = null;
let ivmError = null;
try {
  ivm = require('isolated-vm');
} catch (err) {
  ivmError = err.message.split('\n')[0];
}

const args = Object.fromEntries(process.argv.slice(2).map((a) => {
  const m = /^--([^=]+)(?:=(.*))?$/.exec(a);
  if (!m) {
    throw new Error(`unknown argument ${a}`);
  }
  return [m[1], m[2] === undefined ? true : m[2]];
}));
const benchtime = Number(args.benchtime || 1000);
const only = args.bench ? new RegExp(args.bench) : null;
const latencyRuns = Number(args['latency-runs'] === undefined ? 100 : args['latency-runs']);
const count = Number(args.count || 1);

// A per-call timeout armed on every call, as hookengine arms its limits.
// Its length does not change what arming it costs; the endless hook uses
// its own limit.
const CALL_TIMEOUT_MS = 2000;
const LATENCY_LIMIT_MS = 100;

// ---------------------------------------------------------------- workloads

const testdata = path.join(__dirname, '..', 'testdata');
const driverSource = fs.readFileSync(path.join(testdata, 'driver.js'), 'utf8');
const workloads = {};
for (const w of JSON.parse(fs.readFileSync(path.join(testdata, 'workloads.json'), 'utf8'))) {
  w.script = fs.readFileSync(path.join(testdata, w.hook), 'utf8');
  w.inputText = fs.readFileSync(path.join(testdata, w.input), 'utf8');
  const secrets = {};
  for (const [k, v] of Object.entries(w.secrets || {})) {
    if (v.startsWith('@')) {
      const text = fs.readFileSync(path.join(testdata, v.slice(1)), 'utf8');
      try {
        secrets[k] = JSON.stringify(JSON.parse(text)); // kept on one line
      } catch {
        secrets[k] = text;
      }
    } else {
      secrets[k] = v;
    }
  }
  w.secretsJSON = JSON.stringify(secrets);
  workloads[w.name] = w;
}

// As in the Go contenders: the hook is compiled as the body of a module
// wrapper, and a cold run's script differs from every other by a comment.
const wrapperSource = (script) => `(function (module, exports, require) {${script}\n})`;
let coldSeq = 0;
const coldScript = (script) => `${script}\n// cold run ${++coldSeq}\n`;

// ------------------------------------------------------------- Node vm

// Contexts get the host's timers, which is what a Node embedder gives them.
// Node's own fetch too, for the fetch scenario.
function newVMContext() {
  return vm.createContext({ setTimeout, clearTimeout, setImmediate, clearImmediate, fetch });
}

const driverScript = new vm.Script(driverSource, { filename: 'driver.js' });
const callScript = new vm.Script('__run(__hook, __trigger, __input, __done)', { filename: 'call.js' });

// loadVM sets a context up with the driver and the hook compiled as script.
function loadVM(ctx, w, script) {
  driverScript.runInContext(ctx);
  ctx.__init(w.secretsJSON);
  ctx.__hook = ctx.__load(script.runInContext(ctx));
  ctx.__trigger = w.trigger;
  ctx.__done = undefined;
  return ctx;
}

const vmContenders = {
  // A new context for every call; the script is compiled once (warm) or
  // every call (cold).
  'node-vm-fresh-context': {
    modes: ['warm', 'cold'],
    fetch: true,
    open(w, mode) {
      const hookScript = new vm.Script(wrapperSource(w.script), { filename: 'hook.js' });
      return (input, done) => {
        const script = mode === 'cold'
          ? new vm.Script(wrapperSource(coldScript(w.script)), { filename: 'hook.js' })
          : hookScript;
        const ctx = loadVM(newVMContext(), w, script);
        return ctx.__run(ctx.__hook, w.trigger, input, done);
      };
    },
  },
  // One context, and every call runs as a script with a timeout: the only
  // way vm bounds a call. The timeout covers the synchronous part only.
  'node-vm-reused-timeout': {
    modes: ['warm'],
    limit: true,
    open(w, mode, timeout = CALL_TIMEOUT_MS) {
      const ctx = loadVM(newVMContext(), w, new vm.Script(wrapperSource(w.script), { filename: 'hook.js' }));
      return (input, done) => {
        ctx.__input = input;
        ctx.__done = done;
        return callScript.runInContext(ctx, { timeout });
      };
    },
  },
  // One context, the hook function called directly: no limit at all.
  'node-vm-reused': {
    modes: ['warm'],
    fetch: true,
    open(w) {
      const ctx = loadVM(newVMContext(), w, new vm.Script(wrapperSource(w.script), { filename: 'hook.js' }));
      const run = ctx.__run;
      const hook = ctx.__hook;
      return (input, done) => run(hook, w.trigger, input, done);
    },
  },
};

// ------------------------------------------------------------- isolated-vm

// The isolate's own glue: timers forwarded to the host's, and entry points
// returning the answer (or a promise of it) as a string.
const ivmGlue = `
globalThis.setTimeout = function (fn, ms) {
  __hostTimer.applyIgnored(undefined, [fn, ms || 0], { arguments: { reference: true } });
};
globalThis.__call = function (input) { return __run(__hook, __trigger, input); };
globalThis.__callAsync = function (input) {
  return new Promise(function (resolve) { __run(__hook, __trigger, input, resolve); });
};`;

function ivmSetupSource(w, script) {
  return `${driverSource}
__init(${JSON.stringify(w.secretsJSON)});
var __trigger = ${JSON.stringify(w.trigger)};
var __hook = __load(${wrapperSource(script)});
${ivmGlue}`;
}

function hostTimer() {
  return new ivm.Reference((fnRef, msRef) => {
    const ms = msRef.copySync();
    msRef.release();
    setTimeout(() => {
      fnRef.applyIgnored(undefined, []);
      fnRef.release();
    }, ms);
  });
}

function newIVMContext(isolate, setup) {
  const ctx = isolate.createContextSync();
  const jail = ctx.global;
  jail.setSync('globalThis', jail.derefInto());
  jail.setSync('__hostTimer', hostTimer());
  setup.runSync(ctx);
  return ctx;
}

// ivmCaller calls the context's entry point; async hooks are awaited.
// release drops the reference to the entry point.
function ivmCaller(ctx, w, timeout) {
  const ref = ctx.global.getSync(w.async ? '__callAsync' : '__call', { reference: true });
  const call = w.async
    ? (input) => ref.apply(undefined, [input], { timeout, result: { promise: true, copy: true } })
    : (input) => ref.applySync(undefined, [input], { timeout });
  call.release = () => ref.release();
  return call;
}

let isolates = [];
function disposeIsolates() {
  for (const isolate of isolates) {
    if (!isolate.isDisposed) {
      isolate.dispose();
    }
  }
  isolates = [];
}

function newIsolate() {
  const isolate = new ivm.Isolate({ memoryLimit: 128 });
  isolates.push(isolate);
  return isolate;
}

const ivmContenders = {
  // One isolate (with a memory limit) and one context; every call has a
  // timeout. As in its documentation, the timeout does not cover an async
  // hook's continuations.
  'ivm-reused-timeout': {
    modes: ['warm'],
    limit: true,
    open(w, mode, timeout = CALL_TIMEOUT_MS) {
      const isolate = newIsolate();
      const ctx = newIVMContext(isolate, isolate.compileScriptSync(ivmSetupSource(w, w.script)));
      return ivmCaller(ctx, w, timeout);
    },
  },
  // A new context of one isolate for every call. With isolated-vm 5.0.4 on
  // Node 20 a released context in which any function was created is never
  // collected (about 140 KB each, so a 128 MB isolate is disposed after some
  // 930 contexts), so the isolate is replaced every freshContextsPerIsolate
  // calls; the replacement's cost is spread over those calls.
  'ivm-fresh-context': {
    modes: ['warm', 'cold'],
    open(w, mode) {
      let isolate;
      let setup;
      let used = 0;
      const renew = () => {
        if (isolate) {
          isolate.dispose();
        }
        isolate = newIsolate();
        setup = isolate.compileScriptSync(ivmSetupSource(w, w.script));
        used = 0;
      };
      renew();
      return (input) => {
        if (++used > freshContextsPerIsolate) {
          renew();
        }
        const script = mode === 'cold' ? isolate.compileScriptSync(ivmSetupSource(w, coldScript(w.script))) : setup;
        const ctx = newIVMContext(isolate, script);
        const call = ivmCaller(ctx, w, CALL_TIMEOUT_MS);
        const done = () => {
          call.release();
          ctx.release();
        };
        const out = call(input);
        if (out && typeof out.then === 'function') {
          return out.finally(done);
        }
        done();
        return out;
      };
    },
  },
};

const freshContextsPerIsolate = 400;

const contenders = { ...vmContenders, ...(ivm ? ivmContenders : {}) };

// call runs one call and resolves to the answer. Synchronous hooks answer
// synchronously; the promise wrapping is only for async hooks.
function caller(name, w, mode) {
  const c = contenders[name];
  const fn = c.open(w, mode);
  if (!w.async) {
    return { sync: true, fn: () => fn(w.inputText) };
  }
  if (name.startsWith('ivm-')) {
    return { sync: false, fn: () => fn(w.inputText) };
  }
  return {
    sync: false,
    fn: () => new Promise((resolve) => { fn(w.inputText, resolve); }),
  };
}

// ------------------------------------------------------------- measuring

const now = () => process.hrtime.bigint();

// batch runs n calls and returns how long they took, in milliseconds.
async function batch(c, n) {
  const start = now();
  if (c.sync) {
    for (let i = 0; i < n; i++) {
      if (c.fn() === undefined) {
        throw new Error('the hook did not answer');
      }
    }
  } else {
    for (let i = 0; i < n; i++) {
      if (await c.fn() === undefined) {
        throw new Error('the hook did not answer');
      }
    }
  }
  return Number(now() - start) / 1e6;
}

// measure grows the batch until it lasts the bench time, as go test does.
// The first batches warm the JIT up; garbage left by earlier benchmarks
// (contexts, isolates) is collected before the batch that counts.
async function measure(c) {
  let n = 1;
  for (;;) {
    if (global.gc) {
      global.gc();
    }
    const elapsed = await batch(c, n);
    if (elapsed >= benchtime || n >= 1e9) {
      return { n, nsPerOp: (elapsed * 1e6) / n };
    }
    const next = elapsed > 0 ? Math.ceil((n * benchtime * 1.2) / elapsed) : n * 100;
    n = Math.max(n + 1, Math.min(next, n * 100));
  }
}

function emit(name, n, nsPerOp, metrics = {}) {
  let line = `Benchmark${name}\t${String(n).padStart(10)}\t${nsPerOp.toFixed(1).padStart(14)} ns/op`;
  for (const [unit, value] of Object.entries(metrics)) {
    line += `\t${value.toFixed(3).padStart(12)} ${unit}`;
  }
  console.log(line);
}

function wanted(name) {
  return !only || only.test(name) || only.test(`Benchmark${name}`);
}

// The same benchmark names as the Go side (see bench_test.go).
const timedScenarios = [
  ['WarmCredentialsExchange', 'credentials-exchange', 'warm'],
  ['WarmPreUserRegistration', 'pre-user-registration', 'warm'],
  ['WarmPostUserRegistration', 'post-user-registration', 'warm'],
  ['WarmPostChangePassword', 'post-change-password', 'warm'],
  ['WarmSendPhoneMessage', 'send-phone-message', 'warm'],
  ['ColdPreUserRegistration', 'pre-user-registration', 'cold'],
  ['CPUHeavy', 'cpu-heavy', 'warm'],
  ['AsyncTimer', 'async-timer', 'warm'],
  // FETCH SCENARIO: the hook awaits one fetch to a local server. Only the vm
  // contenders run it: isolated-vm would need a fetch bridged into the
  // isolate.
  ['Fetch', 'fetch', 'warm'],
];

// profileServer answers the fetch hook as the Go benchmark's server does. It
// runs in a worker thread, so that it does not share the event loop with the
// contenders it answers.
const serverSource = `
const http = require('http');
const { parentPort } = require('worker_threads');
const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname !== '/risk' || !url.searchParams.get('email')) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify({ risk: 12, segment: 'smb', email: url.searchParams.get('email') }));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', () => {
  server.closeAllConnections();
  server.close(() => parentPort.close());
});
`;

function profileServer() {
  const worker = new Worker(serverSource, { eval: true });
  return new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (port) => resolve({
      port,
      close: () => new Promise((done) => {
        worker.once('exit', done);
        worker.postMessage('close');
      }),
    }));
  });
}

// withServer runs fn with the fetch workload pointed at a local server.
async function withServer(fn) {
  const server = await profileServer();
  const w = workloads.fetch;
  const secrets = JSON.parse(w.secretsJSON);
  secrets.PROFILE_API = `http://127.0.0.1:${server.port}`;
  w.secretsJSON = JSON.stringify(secrets);
  try {
    await fn();
  } finally {
    await server.close();
  }
}

async function runTimed() {
  for (const [scenario, workload, mode] of timedScenarios) {
    if (workloads[workload].fetch) {
      if (Object.keys(contenders).some((name) => runs(scenario, workload, mode, name))) {
        await withServer(() => runScenario(scenario, workload, mode));
      }
      continue;
    }
    await runScenario(scenario, workload, mode);
  }
}

// runs reports whether contender name runs a timed scenario.
function runs(scenario, workload, mode, name) {
  return contenders[name].modes.includes(mode) && wanted(`${scenario}/${name}`) &&
    (!workloads[workload].fetch || Boolean(contenders[name].fetch));
}

// planned lists the benchmarks a run with these flags prints.
function planned() {
  const names = [];
  for (const [scenario, workload, mode] of timedScenarios) {
    for (const name of Object.keys(contenders)) {
      if (runs(scenario, workload, mode, name)) {
        names.push(`${scenario}/${name}`);
      }
    }
  }
  for (const name of Object.keys(contenders)) {
    if (contenders[name].limit && latencyRuns >= 1 && wanted(`CPULimitLatency/${name}`)) {
      names.push(`CPULimitLatency/${name}`);
    }
  }
  if (global.gc) {
    for (const name of ['node-vm-reused', 'ivm-reused-timeout']) {
      if (contenders[name] && wanted(`RetainedMemory/${name}`)) {
        names.push(`RetainedMemory/${name}`);
      }
    }
  }
  return names;
}

async function runScenario(scenario, workload, mode) {
  for (const name of Object.keys(contenders)) {
    const full = `${scenario}/${name}`;
    if (!runs(scenario, workload, mode, name)) {
      continue;
    }
    for (let i = 0; i < count; i++) {
      const r = await measure(caller(name, workloads[workload], mode));
      disposeIsolates();
      emit(full, r.n, r.nsPerOp);
    }
  }
}

// The endless hook under a 100 ms limit: the time each run takes to return.
async function runLatency() {
  const w = workloads['infinite-loop'];
  if (latencyRuns < 1) {
    return;
  }
  for (const name of Object.keys(contenders)) {
    const full = `CPULimitLatency/${name}`;
    if (!contenders[name].limit || !wanted(full)) {
      continue;
    }
    const fn = contenders[name].open(w, 'warm', LATENCY_LIMIT_MS);
    const samples = [];
    for (let i = 0; i < latencyRuns; i++) {
      const start = now();
      let stopped = false;
      try {
        fn(w.inputText);
      } catch (err) {
        stopped = /timed out/i.test(err.message);
      }
      samples.push(Number(now() - start) / 1e6);
      if (!stopped) {
        throw new Error(`${name}: the endless hook was not stopped by its timeout`);
      }
    }
    samples.sort((a, b) => a - b);
    const rank = (p) => samples[Math.ceil(p * samples.length) - 1];
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    emit(full, samples.length, mean * 1e6, { 'p50-ms': rank(0.5), 'p99-ms': rank(0.99), 'max-ms': samples[samples.length - 1] });
  }
}

// Memory kept by a warm hook: n contexts (vm) or isolates (isolated-vm),
// each with the hook loaded and run once.
async function runMemory() {
  const w = workloads['pre-user-registration'];
  const n = 64;
  const gc = global.gc;
  if (!gc) {
    return;
  }
  if (wanted('RetainedMemory/node-vm-reused')) {
    gc();
    gc();
    const before = v8.getHeapStatistics().used_heap_size + process.memoryUsage().external;
    const keep = [];
    for (let i = 0; i < n; i++) {
      const fn = vmContenders['node-vm-reused'].open(w, 'warm');
      fn(w.inputText);
      keep.push(fn);
    }
    gc();
    gc();
    const after = v8.getHeapStatistics().used_heap_size + process.memoryUsage().external;
    emit('RetainedMemory/node-vm-reused', n, 0, { 'retained-B/hook': (after - before) / n });
    keep.length = 0;
  }
  if (ivm && wanted('RetainedMemory/ivm-reused-timeout')) {
    // An isolate's heap is its own; its statistics count what it holds.
    const isolate = newIsolate();
    const ctx = newIVMContext(isolate, isolate.compileScriptSync(ivmSetupSource(w, w.script)));
    ivmCaller(ctx, w, CALL_TIMEOUT_MS)(w.inputText);
    const s = isolate.getHeapStatisticsSync();
    emit('RetainedMemory/ivm-reused-timeout', 1, 0, {
      'retained-B/hook': s.used_heap_size + s.malloced_memory + s.externally_allocated_size,
    });
  }
}

async function check() {
  await withServer(checkAll);
}

async function checkAll() {
  for (const w of Object.values(workloads)) {
    if (w.endless) {
      continue;
    }
    for (const name of Object.keys(contenders)) {
      if (w.fetch && !contenders[name].fetch) {
        continue;
      }
      for (const mode of contenders[name].modes) {
        if (mode === 'cold' && w.name !== 'pre-user-registration') {
          continue;
        }
        let result;
        let error;
        try {
          const c = caller(name, w, mode);
          result = c.sync ? c.fn() : await c.fn();
        } catch (err) {
          error = err.message;
        }
        disposeIsolates();
        console.log(JSON.stringify({ workload: w.name, mode, contender: name, result, error }));
      }
    }
  }
  // The endless hook must be stopped by every contender with a limit.
  const w = workloads['infinite-loop'];
  for (const name of Object.keys(contenders)) {
    if (!contenders[name].limit) {
      continue;
    }
    let error;
    try {
      contenders[name].open(w, 'warm', 20)(w.inputText);
    } catch (err) {
      error = err.message;
    }
    disposeIsolates();
    console.log(JSON.stringify({ workload: w.name, mode: 'warm', contender: name, error }));
  }
}

async function main() {
  if (args.check) {
    await check();
    return;
  }
  if (args.list) {
    console.log(planned().join('\n'));
    return;
  }
  console.log(`goos: ${process.platform}`);
  console.log(`goarch: ${process.arch}`);
  console.log('pkg: github.com/hookengine/hookengine/bench/node');
  console.log(`cpu: ${os.cpus()[0].model}`);
  console.log(`# node ${process.version}, v8 ${process.versions.v8}, isolated-vm ${ivm ? require('isolated-vm/package.json').version : `unavailable: ${ivmError}`}`);
  await runTimed();
  await runLatency();
  await runMemory();
}

main().then(disposeIsolates, (err) => {
  console.error(err);
  process.exitCode = 1;
  disposeIsolates();
});
