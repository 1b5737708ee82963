// Stratus's Node.js runtime client: Lambda's Runtime API loop for nodejs* functions.
//
// Started by the environment (worker/bootstrap.py) with Lambda's variables, it loads the
// handler named by _HANDLER from LAMBDA_TASK_ROOT (CommonJS or ES module), then asks
// /runtime/invocation/next for events forever, answering each with /response or /error.
// What it writes matches Lambda's own Node.js runtime: log lines
// "<ISO time>\t<request id>\t<LEVEL>\t<message>", errors {errorType, errorMessage,
// trace}, and the Runtime.* error types of a handler that cannot be loaded.
//
// Pooled (worker/node_pool.py): started ahead of need with _STRATUS_POOL_FD set, it loads
// all of the above, then blocks on that descriptor for the function it becomes: its
// variables, working directory and user, applied before any of its code is loaded.
"use strict";

const http = require("http");
const path = require("path");
const fs = require("fs");
const util = require("util");
const { pathToFileURL } = require("url");
const Module = require("module");
const net = require("net");
const { Writable } = require("stream");

let API = "";
let TASK_ROOT = "";
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
let currentRequestId = "";

// -- logging ---------------------------------------------------------------------------

function patchConsole() {
  const levels = { log: "INFO", info: "INFO", warn: "WARN", error: "ERROR", debug: "DEBUG", trace: "TRACE" };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      let text = util.format(...args);
      if (method === "trace") text = "Trace: " + text + "\n" + new Error().stack.split("\n").slice(2).join("\n");
      // One log event per call: Lambda turns newlines into carriage returns.
      const line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${text}`;
      process.stdout.write(line.replace(/\n/g, "\r") + "\n");
    };
  }
}

// -- the Runtime API -------------------------------------------------------------------

function call(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: API.split(":")[0], port: Number(API.split(":")[1]), path: "/2018-06-01" + route,
        method, agent, headers: headers || {} },
      (response) => {
        const chunks = [];
        response.on("data", (c) => chunks.push(c));
        response.on("end", () => resolve({ status: response.statusCode, headers: response.headers,
                                           body: Buffer.concat(chunks) }));
        response.on("error", reject);
      });
    request.on("error", reject);
    if (body !== undefined) request.end(body); else request.end();
  });
}

function errorObject(error, errorType) {
  if (error instanceof Error) {
    const type = errorType || error.name || "Error";
    const lines = (error.stack || "").split("\n");
    return { errorType: type, errorMessage: error.message,
             trace: errorType ? [`${errorType}: ${error.message}`, ...lines.slice(1)] : lines };
  }
  let message;
  try { message = typeof error === "string" ? error : JSON.stringify(error); } catch (_) { message = String(error); }
  return { errorType: errorType || typeof error, errorMessage: message === undefined ? "" : message, trace: [] };
}

function postError(route, error, errorType) {
  const object = errorObject(error, errorType);
  return call("POST", route, JSON.stringify(object),
              { "Content-Type": "application/json", "Lambda-Runtime-Function-Error-Type": object.errorType });
}

// -- response streaming ----------------------------------------------------------------
//
// As Lambda's Node.js runtime: a handler wrapped in awslambda.streamifyResponse gets a
// writable responseStream; what it writes goes to POST .../response as it is written
// (chunked, Lambda-Runtime-Function-Response-Mode: streaming), and an error after the
// first byte is reported in the trailers Lambda-Runtime-Function-Error-Type and -Body.
// awslambda.HttpResponseStream.from(stream, metadata) writes the HTTP metadata prelude
// (JSON, then 8 null bytes) a function URL reads the status and headers from.

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";
const DELIMITER = Buffer.alloc(8);

class ResponseStream extends Writable {
  constructor(route) {
    super();
    this.route = route;
    this.contentType = "application/octet-stream";
    this.request = null;
    this.answered = null;
  }

  setContentType(type) {
    if (this.request !== null) throw new Error("Cannot set content type after the stream started");
    this.contentType = type;
  }

  open() {
    if (this.request !== null) return this.request;
    this.answered = new Promise((resolve, reject) => {
      this.request = http.request(
        { host: API.split(":")[0], port: Number(API.split(":")[1]), path: "/2018-06-01" + this.route,
          method: "POST", agent,
          headers: { "Content-Type": this.contentType, "Transfer-Encoding": "chunked",
                     "Lambda-Runtime-Function-Response-Mode": "streaming",
                     "Trailer": "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" } },
        (response) => { response.resume(); response.on("end", resolve); response.on("error", reject); });
      this.request.on("error", reject);
      this.request.on("socket", (socket) => socket.setNoDelay(true));
    });
    this.request.flushHeaders();
    return this.request;
  }

  _write(chunk, encoding, callback) {
    this.open().write(chunk, encoding, callback);
  }

  _final(callback) {
    this.open().end();
    this.answered.then(() => callback(), callback);
  }

  async fail(error) {
    const object = errorObject(error);
    const request = this.open();
    request.addTrailers({ "Lambda-Runtime-Function-Error-Type": object.errorType,
                          "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(object)).toString("base64") });
    request.end();
    await this.answered;
  }
}

globalThis.awslambda = {
  streamifyResponse(handler) {
    handler[STREAMING] = "response";
    return handler;
  },
  HttpResponseStream: {
    from(stream, metadata) {
      stream.setContentType(HTTP_INTEGRATION);
      stream.write(Buffer.concat([Buffer.from(JSON.stringify(metadata || {})), DELIMITER]));
      return stream;
    },
  },
};

async function serveStreaming(handler, event, headers, route) {
  const stream = new ResponseStream(route + "/response");
  const context = makeContext(headers, () => {});
  try {
    await handler(event, stream, context);
    if (!stream.writableFinished) {
      if (!stream.writableEnded) stream.end();
      await new Promise((resolve, reject) => { stream.on("finish", resolve); stream.on("error", reject); });
    }
  } catch (error) {
    const object = errorObject(error);
    console.error(`Invoke Error \t${JSON.stringify(object)}`);
    if (stream.request === null) await postError(route + "/error", error);
    else await stream.fail(error);
  }
}

// -- the handler -----------------------------------------------------------------------

class LoadError extends Error {
  constructor(type, message, cause) { super(message); this.errorType = type; this.cause = cause; }
}

function moduleFile(root, name) {
  for (const ext of [".js", ".mjs", ".cjs"]) {
    const file = path.resolve(root, name + ext);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

function isModuleType(file) {
  let dir = path.dirname(file);
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) {
      try { return JSON.parse(fs.readFileSync(manifest, "utf8")).type === "module"; } catch (_) { return false; }
    }
    const parent = path.dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

async function loadHandler(handlerString) {
  const slash = handlerString.lastIndexOf("/");
  const moduleRoot = path.resolve(TASK_ROOT, handlerString.slice(0, slash + 1));
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf(".");
  if (dot <= 0 || dot === rest.length - 1) {
    throw new LoadError("Runtime.MalformedHandlerName", "Bad handler");
  }
  const moduleName = rest.slice(0, dot);
  const functionPath = rest.slice(dot + 1).split(".");
  const file = moduleFile(moduleRoot, moduleName);
  let loaded;
  try {
    if (file === null) {
      const require = Module.createRequire(path.join(moduleRoot, "noop.js"));
      loaded = require(moduleName); // a package in node_modules, as Lambda allows
    } else if (file.endsWith(".mjs") || (file.endsWith(".js") && isModuleType(file))) {
      loaded = await import(pathToFileURL(file).href);
    } else {
      try {
        loaded = Module.createRequire(file)(file);
      } catch (error) {
        if (error && error.code === "ERR_REQUIRE_ESM") loaded = await import(pathToFileURL(file).href);
        else throw error;
      }
    }
  } catch (error) {
    if (error instanceof SyntaxError) {
      throw new LoadError("Runtime.UserCodeSyntaxError", `${error.name}: ${error.message}`, error);
    }
    if (error && (error.code === "MODULE_NOT_FOUND" || error.code === "ERR_MODULE_NOT_FOUND") &&
        (file === null || String(error.message).includes(file))) {
      throw new LoadError("Runtime.ImportModuleError",
        `Error: Cannot find module '${moduleName}'\nRequire stack:\n- /var/runtime/index.mjs`, error);
    }
    if (error && (error.code === "MODULE_NOT_FOUND" || error.code === "ERR_MODULE_NOT_FOUND")) {
      throw new LoadError("Runtime.ImportModuleError", `Error: ${error.message}`, error);
    }
    throw error; // the module's own code threw while loading: its error, as Lambda shows it
  }
  let target = loaded;
  for (const part of functionPath) {
    target = target == null ? undefined : target[part];
    if (target === undefined && loaded && loaded.default && part === functionPath[0]) {
      target = loaded.default[part]; // a CommonJS module imported as ESM
    }
  }
  if (typeof target !== "function") {
    throw new LoadError("Runtime.HandlerNotFound", `${handlerString} is undefined or not exported`);
  }
  return target;
}

// -- one invocation --------------------------------------------------------------------

function makeContext(headers, onDone) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    identity: undefined,
    clientContext: undefined,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
    done: (error, result) => onDone(error, result),
    succeed: (result) => onDone(null, result),
    fail: (error) => onDone(error || "handled", undefined),
  };
  if (headers["lambda-runtime-cognito-identity"]) {
    try { context.identity = JSON.parse(headers["lambda-runtime-cognito-identity"]); } catch (_) { /* as Lambda */ }
  }
  if (headers["lambda-runtime-client-context"]) {
    try { context.clientContext = JSON.parse(headers["lambda-runtime-client-context"]); } catch (_) { /* as Lambda */ }
  }
  if (headers["lambda-runtime-aws-tenant-id"]) context.tenantId = headers["lambda-runtime-aws-tenant-id"];
  return context;
}

function runHandler(handler, event, headers) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error, result) => {
      if (settled) return;
      settled = true;
      if (error !== null && error !== undefined) reject({ error }); else resolve(result);
    };
    const context = makeContext(headers, finish);
    // A callback-style handler is answered once the event loop is empty, unless it
    // says not to wait (context.callbackWaitsForEmptyEventLoop = false), as in Lambda.
    const callback = (error, result) => {
      if (settled) return;
      if (context.callbackWaitsForEmptyEventLoop) {
        process.once("beforeExit", () => finish(error, result));
      } else {
        finish(error, result);
      }
    };
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") {
        returned.then((result) => finish(null, result), (error) => finish(error === undefined ? "undefined" : error));
      } else if (handler.length < 3) {
        finish(null, returned); // neither a promise nor a callback: the value is the result
      }
    } catch (error) {
      finish(error);
    }
  });
}

async function serve(handler) {
  for (;;) {
    const next = await call("GET", "/runtime/invocation/next");
    if (next.status !== 200) throw new Error(`Failed to get next invocation: ${next.status}`);
    const headers = next.headers;
    const requestId = headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    if (headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = headers["lambda-runtime-trace-id"];
    else delete process.env._X_AMZN_TRACE_ID;
    const route = `/runtime/invocation/${requestId}`;
    let event;
    try {
      event = next.body.length ? JSON.parse(next.body.toString("utf8")) : null;
    } catch (error) {
      await postError(route + "/error", error, "Runtime.UnmarshalError");
      continue;
    }
    if (handler[STREAMING] === "response") {
      await serveStreaming(handler, event, headers, route);
      continue;
    }
    try {
      const result = await runHandler(handler, event, headers);
      let body;
      try {
        body = JSON.stringify(result === undefined ? null : result);
      } catch (error) {
        await postError(route + "/error", error, "Runtime.MarshalError");
        continue;
      }
      await call("POST", route + "/response", body, { "Content-Type": "application/json" });
    } catch (failure) {
      const error = failure && Object.prototype.hasOwnProperty.call(failure, "error") ? failure.error : failure;
      const object = errorObject(error);
      console.error(`Invoke Error \t${JSON.stringify(object)}`);
      await postError(route + "/error", error);
    }
  }
}

// -- the pool --------------------------------------------------------------------------

function readMessage(fd) {
  const chunks = [];
  const buffer = Buffer.alloc(65536);
  for (;;) {
    let count;
    try {
      count = fs.readSync(fd, buffer, 0, buffer.length, null);
    } catch (error) {
      if (error.code === "EINTR" || error.code === "EAGAIN") continue;
      throw error;
    }
    if (count === 0) return null; // the spare went away before it was used
    chunks.push(Buffer.from(buffer.subarray(0, count)));
    if (buffer[count - 1] === 10) return Buffer.concat(chunks).toString("utf8");
  }
}

// While it waits, a pooled node makes one HTTP round trip on loopback, to a server of
// its own, closed again: the client code every invocation runs is compiled and warm by
// then (the first request of a cold node costs ~5 ms more). Nothing of it stays open.
async function warmUp() {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on("end", () => response.end("{}"));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const once = new http.Agent({ keepAlive: false });
  try {
    await new Promise((resolve, reject) => {
      const request = http.request(
        { host: "127.0.0.1", port: server.address().port, path: "/", method: "POST", agent: once,
          headers: { "Content-Type": "application/json" } },
        (response) => { response.resume(); response.on("end", resolve); response.on("error", reject); });
      request.on("error", reject);
      request.end(JSON.stringify({ warm: new Date().toISOString() }));
    });
  } finally {
    once.destroy();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function becomeIfPooled() {
  if (process.env._STRATUS_POOL_FD === undefined) return;
  const fd = Number(process.env._STRATUS_POOL_FD);
  try { await warmUp(); } catch (_) { /* only a warm-up */ }
  const text = readMessage(fd);
  if (text === null) process.exit(0);
  const { env, cwd, uid } = JSON.parse(text);
  for (const name of Object.keys(process.env)) delete process.env[name];
  Object.assign(process.env, env); // TZ included: node drops its cached zone on the assignment
  if (uid !== null && uid !== undefined) {
    // The function's user for good, as the environment itself did: real, effective and
    // saved ids (setuid as root sets all three); no groups.
    process.setgroups([]);
    process.setgid(uid);
    process.setuid(uid);
    if (process.getuid() !== uid || process.geteuid() !== uid) throw new Error("identity not dropped");
  }
  process.chdir(cwd);
  Module._initPaths(); // NODE_PATH is the function's now
  // The change of user cleared our parent-death signal: end when the environment does.
  const lifeline = new net.Socket({ fd, readable: true, writable: false });
  lifeline.on("error", () => {});
  lifeline.on("close", () => process.kill(process.pid, "SIGKILL"));
  lifeline.resume();
  lifeline.unref();
}

async function main() {
  await becomeIfPooled();
  API = process.env.AWS_LAMBDA_RUNTIME_API;
  TASK_ROOT = process.env.LAMBDA_TASK_ROOT || process.cwd();
  patchConsole();
  let handler;
  try {
    handler = await loadHandler(process.env._HANDLER || "");
  } catch (error) {
    const type = error instanceof LoadError ? error.errorType : undefined;
    const object = errorObject(error, type);
    const line = `${new Date().toISOString()}\tundefined\tERROR\tUncaught Exception \t${JSON.stringify(object)}`;
    process.stdout.write(line.replace(/\n/g, "\r") + "\n");
    await postError("/runtime/init/error", error, type);
    process.exit(129);
  }
  await serve(handler);
}

process.on("uncaughtException", async (error) => {
  console.error(`Uncaught Exception \t${JSON.stringify(errorObject(error))}`);
  if (currentRequestId) {
    try { await postError(`/runtime/invocation/${currentRequestId}/error`, error); } catch (_) { /* exiting */ }
  }
  process.exit(129);
});
process.on("unhandledRejection", async (reason) => {
  const error = reason instanceof Error ? reason : new Error(String(reason));
  console.error(`Unhandled Promise Rejection \t${JSON.stringify(errorObject(error, "Runtime.UnhandledPromiseRejection"))}`);
  if (currentRequestId) {
    try {
      await postError(`/runtime/invocation/${currentRequestId}/error`, error, "Runtime.UnhandledPromiseRejection");
    } catch (_) { /* exiting */ }
  }
  process.exit(128);
});

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
