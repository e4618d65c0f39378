// A Node gRPC client against `xai-fake serve`, as a test suite in another language would use it.
//
// It loads every .proto under the protos folder with only that folder on the include path, then,
// through the control API, scripts a chat reply and a fault, calls Chat and Models, reads the
// request log, shows that sessions are isolated, and resets the server.
//
// Environment: XAI_API_HOST, XAI_API_KEY and XAI_FAKE_CONTROL_TOKEN (the export lines of
// `xai-fake serve`), and XAI_FAKE_PROTOS (the folder; default: the checkout's protos/).
// Exit code 0 when every check passed; 1, naming the failed check, otherwise.
//
// By hand: `npm install` here, start `xai-fake serve`, paste its export lines, `node interop.mjs`
// (tests/interop/test_node.py does it all in a temporary folder).

import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

import grpc from "@grpc/grpc-js";
import protoLoader from "@grpc/proto-loader";

const HERE = dirname(fileURLToPath(import.meta.url));
const DEADLINE_MS = 10_000;
const SESSION_HEADER = "x-xai-fake-session";
const TOKEN_HEADER = "x-xai-fake-control-token";
const LOAD_OPTIONS = { keepCase: true, longs: String, enums: String, defaults: true, oneofs: true };
const API_SERVICES = [
  ...["Auth", "BatchMgmt", "Chat", "Documents", "Embedder", "Files", "Image", "Models", "Sample", "Tokenize", "Video"]
    .map((name) => `xai_api.${name}`),
  "collections.Collections", // collections.proto's package is `collections`
];

let checks = 0;
function ok(what) {
  checks += 1;
  console.log(`ok ${checks} - ${what}`);
}

function env(name) {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this with the export lines of \`xai-fake serve\``);
  return value;
}

// Every .proto file under `root`, as paths relative to it ("xai/api/v1/chat.proto"), sorted.
function protoFiles(root) {
  const found = [];
  const walk = (folder) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".proto")) found.push(relative(root, path).split(sep).join("/"));
    }
  };
  walk(root);
  return found.sort();
}

// Load each file on its own (so a failure names its file), then all of them together.
function loadProtos(root) {
  const files = protoFiles(root);
  assert.ok(files.length > 0, `no .proto files under ${root}`);
  const failures = [];
  for (const file of files) {
    try {
      protoLoader.loadSync(file, { ...LOAD_OPTIONS, includeDirs: [root] });
    } catch (error) {
      failures.push(`${file}: ${error.message}`);
    }
  }
  assert.deepEqual(failures, [], `.proto files that do not load with only ${root} on the include path`);
  const definition = protoLoader.loadSync(files, { ...LOAD_OPTIONS, includeDirs: [root] });
  ok(`loaded all ${files.length} .proto files with only ${root} on the include path`);
  return { files, definition };
}

function metadata(pairs) {
  const md = new grpc.Metadata();
  for (const [key, value] of Object.entries(pairs)) md.add(key, value);
  return md;
}

// A unary call as a promise; rejects with the grpc-js error (its .code, .details).
function unary(client, method, request, md = new grpc.Metadata()) {
  return new Promise((resolvePromise, reject) => {
    const deadline = new Date(Date.now() + DEADLINE_MS);
    client[method](request, md, { deadline }, (error, response) => {
      if (!error) return resolvePromise(response);
      error.message = `${method}: ${error.message}`; // name the call that failed
      return reject(error);
    });
  });
}

async function fails(promise, code, what) {
  let answer;
  try {
    answer = await promise;
  } catch (error) {
    assert.equal(
      grpc.status[error.code],
      code,
      `${what}: expected ${code}, got ${grpc.status[error.code]} (${error.details})`,
    );
    return error;
  }
  assert.fail(`${what}: expected ${code}, but the call succeeded with ${JSON.stringify(answer)}`);
}

function chatRequest(text) {
  return { model: "grok-4", messages: [{ role: "ROLE_USER", content: [{ text }] }] };
}

function replyOf(response) {
  assert.ok(response.outputs.length > 0, `no outputs in ${JSON.stringify(response)}`);
  return response.outputs[0].message.content;
}

async function main() {
  const protosDir = resolve(process.env.XAI_FAKE_PROTOS || join(HERE, "..", "..", "..", "protos"));
  assert.ok(existsSync(protosDir), `no folder ${protosDir}: set XAI_FAKE_PROTOS to the one \`xai-fake protos\` prints`);
  const { files, definition } = loadProtos(protosDir);
  for (const expected of ["xai_fake/control/v1/control.proto", "xai_fake/cassette/v1/cassette.proto"]) {
    assert.ok(files.includes(expected), `${expected} is not under ${protosDir}`);
  }
  const services = Object.keys(definition).filter((name) => definition[name].format === undefined);
  for (const service of [...API_SERVICES, "xai_fake.control.v1.Control"]) {
    assert.ok(services.includes(service), `service ${service} is not defined; services: ${services.join(", ")}`);
  }
  ok(`the definitions hold the ${API_SERVICES.length} API services and the control service`);

  const host = env("XAI_API_HOST");
  const api = { authorization: `Bearer ${env("XAI_API_KEY")}` };
  const token = { [TOKEN_HEADER]: env("XAI_FAKE_CONTROL_TOKEN") };
  const packages = grpc.loadPackageDefinition(definition);
  const credentials = grpc.credentials.createInsecure();
  const control = new packages.xai_fake.control.v1.Control(host, credentials);
  const chat = new packages.xai_api.Chat(host, credentials);
  const models = new packages.xai_api.Models(host, credentials);
  const inSession = (pairs, name) => metadata({ ...pairs, [SESSION_HEADER]: name });

  try {
    // The control API wants its token.
    const missing = await fails(unary(control, "Reset", {}), "UNAUTHENTICATED", "Reset without the token");
    assert.match(missing.details, new RegExp(TOKEN_HEADER), "the refusal names the token's header");
    await fails(
      unary(control, "Reset", {}, metadata({ [TOKEN_HEADER]: "a-guess" })),
      "UNAUTHENTICATED",
      "Reset with a wrong token",
    );
    ok("a control call without the token, or with a wrong one, fails UNAUTHENTICATED");
    await unary(control, "Reset", {}, metadata(token));
    ok("Reset with the token");

    // Script a reply and a fault.
    const scripted = "Scripted from Node.";
    const pending = await unary(control, "ScriptChat", { reply: scripted, times: 1 }, metadata(token));
    assert.equal(pending.pending, 1, `ScriptChat queued ${pending.pending} steps`);
    ok("ScriptChat queued one reply");
    await unary(
      control,
      "AddFault",
      { code: "UNAVAILABLE", details: "injected by the Node test", method: "Models/ListLanguageModels", times: 1 },
      metadata(token),
    );
    ok("AddFault: UNAVAILABLE once on Models/ListLanguageModels");

    // Call the API.
    const answer = await unary(chat, "GetCompletion", chatRequest("Hi from Node"), metadata(api));
    assert.equal(replyOf(answer), scripted, "Chat/GetCompletion answers the scripted reply");
    ok(`Chat/GetCompletion answered the scripted reply: ${JSON.stringify(scripted)}`);
    const fault = await fails(unary(models, "ListLanguageModels", {}, metadata(api)), "UNAVAILABLE", "ListLanguageModels");
    assert.equal(fault.details, "injected by the Node test");
    ok("the first Models/ListLanguageModels failed UNAVAILABLE with the fault's details");
    const listed = await unary(models, "ListLanguageModels", {}, metadata(api));
    assert.ok(listed.models.length > 0, "the second ListLanguageModels lists models");
    assert.ok(listed.models.every((model) => typeof model.name === "string" && model.name), "every model has a name");
    ok(`the second Models/ListLanguageModels listed ${listed.models.length} models (${listed.models[0].name}, ...)`);

    // Read the log.
    const log = await unary(control, "ListRequests", { wait_for: 3, timeout_seconds: 5 }, metadata(token));
    const seen = log.calls.map((call) => [call.method, call.code]);
    assert.deepEqual(
      seen,
      [
        ["xai_api.Chat/GetCompletion", "OK"],
        ["xai_api.Models/ListLanguageModels", "UNAVAILABLE"],
        ["xai_api.Models/ListLanguageModels", "OK"],
      ],
      "the request log holds the three calls, oldest first, with their codes",
    );
    const [chatCall, failedCall] = log.calls;
    assert.equal(chatCall.requests_json.length, 1);
    const logged = JSON.parse(chatCall.requests_json[0]);
    assert.equal(logged.messages[0].content[0].text, "Hi from Node", "the log holds the request as JSON");
    assert.equal(chatCall.responses, 1, "one response message sent");
    assert.equal(failedCall.details, "injected by the Node test");
    assert.ok(
      !JSON.stringify(chatCall.metadata).includes(env("XAI_API_KEY")),
      `the logged metadata shows the API key: ${JSON.stringify(chatCall.metadata)}`,
    );
    ok("ListRequests: Chat OK, Models UNAVAILABLE, Models OK; the request as JSON, the key redacted");
    const modelsOnly = await unary(control, "ListRequests", { method: "Models/ListLanguageModels" }, metadata(token));
    assert.deepEqual(modelsOnly.calls.map((call) => call.code), ["UNAVAILABLE", "OK"]);
    ok("ListRequests filtered by method");

    // Sessions: what session A scripts, only session A's calls see.
    const onlyA = "Only session A sees this.";
    await unary(control, "ScriptChat", { reply: onlyA }, inSession(token, "node-a"));
    const inA = await unary(chat, "GetCompletion", chatRequest("in A"), inSession(api, "node-a"));
    assert.equal(replyOf(inA), onlyA, "session A answers its scripted reply");
    const outside = await unary(chat, "GetCompletion", chatRequest("no session"), metadata(api));
    assert.notEqual(replyOf(outside), onlyA, "a call without a session header saw session A's script");
    const inB = await unary(chat, "GetCompletion", chatRequest("in B"), inSession(api, "node-b"));
    assert.notEqual(replyOf(inB), onlyA, "session B saw session A's script");
    ok("session A's scripted reply answers session A only (not a call without the header, not session B)");
    const logA = await unary(control, "ListRequests", {}, inSession(token, "node-a"));
    const logB = await unary(control, "ListRequests", {}, inSession(token, "node-b"));
    assert.deepEqual(logA.calls.map((call) => JSON.parse(call.requests_json[0]).messages[0].content[0].text), ["in A"]);
    assert.deepEqual(logB.calls.map((call) => JSON.parse(call.requests_json[0]).messages[0].content[0].text), ["in B"]);
    ok("each session's request log holds only its own calls");

    // A script step as the JSON rendering of a response message, in session B.
    const json = JSON.stringify({ outputs: [{ message: { content: "From JSON, in B.", role: "ROLE_ASSISTANT" } }] });
    const queued = await unary(
      control,
      "Script",
      { method: "xai_api.Chat/GetCompletion", steps: [{ response_json: json, times: 1 }] },
      inSession(token, "node-b"),
    );
    assert.equal(queued.pending, 1);
    const fromJson = await unary(chat, "GetCompletion", chatRequest("in B again"), inSession(api, "node-b"));
    assert.equal(replyOf(fromJson), "From JSON, in B.");
    ok("Script with response_json answers that message");

    // Reset the whole server: the log and the sessions are gone.
    await unary(control, "Reset", {}, metadata(token));
    const cleared = await unary(control, "ListRequests", {}, metadata(token));
    assert.deepEqual(cleared.calls, [], "Reset forgot the request log");
    const afterReset = await unary(chat, "GetCompletion", chatRequest("in A after reset"), inSession(api, "node-a"));
    assert.notEqual(replyOf(afterReset), onlyA, "Reset forgot session A's script");
    await unary(control, "Reset", {}, metadata(token));
    ok("Reset forgot the request log and the sessions' scripts");
  } finally {
    for (const client of [control, chat, models]) client.close();
  }
  console.log(`node interop: ${checks} checks passed`);
}

const watchdog = setTimeout(() => {
  console.error("node interop FAILED: still running after 60 s");
  process.exit(1);
}, 60_000);
watchdog.unref();

try {
  await main();
} catch (error) {
  console.error(`node interop FAILED after ${checks} checks: ${error.message}`);
  if (!(error instanceof assert.AssertionError)) console.error(error.stack);
  process.exitCode = 1;
}
