// leakhound example: a native "database driver" addon that leaks V8 handles.
//
// One source file, two builds:
//   -DLEAKY=1  -> build/buggy.node : the after-work (completion) callback runs
//                 its handles in a HandleScope that was opened once, on the
//                 first completion, and is never closed. Every later
//                 completion's handles pile up in it for the life of the
//                 process (they show up under the "(Handle scope)" GC root).
//   -DLEAKY=0  -> build/fixed.node : the completion callback opens a
//                 `v8::HandleScope scope(isolate);` of its own, so its handles
//                 die when it returns.
//
// JS API:
//   const db = require('./build/buggy.node');
//   db.query(sql, (err, changes) => { this === db.connection; ... });
//   db.connection            // long-lived object: { lastID, changes, queries }
//   db.leaky                 // true for the buggy build
//
// The completion callback mimics the shape of classic drivers (node-sqlite3's
// Statement::Run, for example): it sets `lastID` / `changes` on a long-lived
// JS object and then calls the user's callback with `this` = that object.

#include <node.h>
#include <uv.h>
#include <v8.h>

#include <cstdint>
#include <new>
#include <string>

#ifndef LEAKY
#error "compile with -DLEAKY=1 (buggy) or -DLEAKY=0 (fixed)"
#endif

namespace {

using v8::Context;
using v8::Function;
using v8::FunctionCallbackInfo;
using v8::Global;
using v8::HandleScope;
using v8::Integer;
using v8::Isolate;
using v8::Local;
using v8::MaybeLocal;
using v8::NewStringType;
using v8::Object;
using v8::String;
using v8::Value;

// Per-module state (one per Node environment that loads the addon).
struct Driver {
  Isolate* isolate;
  Global<Context> context;
  Global<Object> connection;  // exported as `connection`, the callbacks' `this`
  int64_t last_id = 0;
  int64_t queries = 0;
};

// One in-flight query.
struct Baton {
  uv_work_t req;
  Driver* driver;
  std::string sql;
  Global<Function> callback;
  node::async_context async_ctx;
  // Filled in on the threadpool.
  uint32_t changes = 0;
};

// Fake "execute the statement" work, run on the libuv threadpool. No V8 here.
void ExecuteOnThreadpool(uv_work_t* req) {
  Baton* baton = static_cast<Baton*>(req->data);
  uint32_t h = 2166136261u;  // FNV-1a over the SQL text, a few rounds
  for (int round = 0; round < 64; round++) {
    for (unsigned char c : baton->sql) {
      h ^= c;
      h *= 16777619u;
    }
  }
  baton->changes = 1 + (h % 7);
}

#if LEAKY
// THE BUG. Somebody hit "Cannot create a handle without a HandleScope" in the
// completion callback and "fixed" it by opening a scope once and keeping it
// forever. V8 deletes HandleScope::operator new (which also hides the
// ordinary placement form), so it is constructed with the global placement
// `::new` into static storage and never destroyed (never closed).
alignas(HandleScope) unsigned char g_forever_scope_storage[sizeof(HandleScope)];
bool g_forever_scope_open = false;

void EnterCompletionScope(Isolate* isolate) {
  if (!g_forever_scope_open) {
    ::new (g_forever_scope_storage) HandleScope(isolate);  // never ~HandleScope()
    g_forever_scope_open = true;
  }
}
#endif

// Completion callback, run on the main thread by the libuv loop, i.e. outside
// any JS frame and outside any HandleScope the embedder (Node) opened for us.
void AfterExecute(uv_work_t* req, int status) {
  Baton* baton = static_cast<Baton*>(req->data);
  Driver* driver = baton->driver;
  Isolate* isolate = driver->isolate;

#if LEAKY
  EnterCompletionScope(isolate);  // BUG: handles below outlive this call
#else
  HandleScope scope(isolate);     // FIX: handles below die on return
#endif

  // Each of these creates a handle in the current HandleScope.
  Local<Context> context = driver->context.Get(isolate);
  Context::Scope context_scope(context);
  Local<Function> callback = baton->callback.Get(isolate);
  Local<Object> connection = driver->connection.Get(isolate);

  driver->last_id++;
  driver->queries++;
  Local<String> k_last_id =
      String::NewFromUtf8Literal(isolate, "lastID", NewStringType::kInternalized);
  Local<String> k_changes =
      String::NewFromUtf8Literal(isolate, "changes", NewStringType::kInternalized);
  Local<String> k_queries =
      String::NewFromUtf8Literal(isolate, "queries", NewStringType::kInternalized);
  Local<Value> v_last_id = v8::Number::New(isolate, double(driver->last_id));
  Local<Value> v_changes = Integer::NewFromUnsigned(isolate, baton->changes);
  Local<Value> v_queries = v8::Number::New(isolate, double(driver->queries));
  connection->Set(context, k_last_id, v_last_id).Check();
  connection->Set(context, k_changes, v_changes).Check();
  connection->Set(context, k_queries, v_queries).Check();

  Local<Value> argv[2];
  if (status == 0) {
    argv[0] = v8::Null(isolate);
    argv[1] = v_changes;
  } else {
    argv[0] = v8::Exception::Error(
        String::NewFromUtf8Literal(isolate, "query cancelled"));
    argv[1] = v8::Undefined(isolate);
  }

  // Top-level call into JS: MakeCallback runs async_hooks before/after and
  // drains the microtask / nextTick queues.
  MaybeLocal<Value> result = node::MakeCallback(
      isolate, connection, callback, 2, argv, baton->async_ctx);
  (void)result;  // an exception was already reported as uncaught

  node::EmitAsyncDestroy(isolate, baton->async_ctx);
  delete baton;  // resets the Global<Function>
}

// query(sql: string, callback: (err, changes) => void): undefined
void Query(const FunctionCallbackInfo<Value>& args) {
  Isolate* isolate = args.GetIsolate();
  Driver* driver = static_cast<Driver*>(args.Data().As<v8::External>()->Value());
  if (args.Length() < 2 || !args[0]->IsString() || !args[1]->IsFunction()) {
    isolate->ThrowException(v8::Exception::TypeError(String::NewFromUtf8Literal(
        isolate, "usage: query(sql: string, callback: function)")));
    return;
  }
  Baton* baton = new Baton();
  baton->req.data = baton;
  baton->driver = driver;
  String::Utf8Value sql(isolate, args[0]);
  baton->sql.assign(*sql, sql.length());
  baton->callback.Reset(isolate, args[1].As<Function>());
  baton->async_ctx = node::EmitAsyncInit(
      isolate, driver->connection.Get(isolate), "LeakhoundQuery");
  int rc = uv_queue_work(node::GetCurrentEventLoop(isolate), &baton->req,
                         ExecuteOnThreadpool, AfterExecute);
  if (rc != 0) {
    node::EmitAsyncDestroy(isolate, baton->async_ctx);
    delete baton;
    isolate->ThrowException(v8::Exception::Error(
        String::NewFromUtf8(isolate, uv_strerror(rc)).ToLocalChecked()));
  }
}

void DeleteDriver(void* arg) { delete static_cast<Driver*>(arg); }

}  // namespace

NODE_MODULE_INIT(/* exports, module, context */) {
  Isolate* isolate = context->GetIsolate();
  Driver* driver = new Driver();
  driver->isolate = isolate;
  driver->context.Reset(isolate, context);
  Local<Object> connection = Object::New(isolate);
  driver->connection.Reset(isolate, connection);
  node::AddEnvironmentCleanupHook(isolate, DeleteDriver, driver);

  Local<v8::External> data = v8::External::New(isolate, driver);
  Local<Function> query =
      v8::FunctionTemplate::New(isolate, Query, data)->GetFunction(context)
          .ToLocalChecked();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "query"), query)
      .Check();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "connection"),
               connection).Check();
  exports->Set(context, String::NewFromUtf8Literal(isolate, "leaky"),
               v8::Boolean::New(isolate, LEAKY != 0)).Check();
}
