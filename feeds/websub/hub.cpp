// Method: every state change is a row in hub.db, written before the network is touched and
// removed only once the other side answered, so a crash repeats work rather than losing it.
// Calls out (verifications, deliveries, pings) happen outside the database lock, a few at a
// time on helper threads of the worker, each bounded by its deadline and cut short when the hub
// stops: a callback that hangs costs one helper its deadline, never a request or the others.
// Every database error is logged with what it cost (a delivery repeated or not recorded).
#include "feeds/websub/hub.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "feeds/websub/call_pool.hpp"
#include "publisher/common/sha256.hpp"
#include "publisher/common/url.hpp"
#include "publisher/sqlite/sqlite.hpp"

namespace gazette::websub {

namespace {

using sqlite::Db;
using sqlite::Stmt;
using sqlite::Transaction;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS intents(
  id INTEGER PRIMARY KEY,
  mode TEXT NOT NULL CHECK(mode IN ('subscribe', 'unsubscribe')),
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT NOT NULL,
  lease INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  client TEXT NOT NULL DEFAULT '',         -- the address that asked
  callback_host TEXT NOT NULL DEFAULT '');
CREATE TABLE IF NOT EXISTS subscriptions(
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  seen_entries INTEGER NOT NULL,  -- feed entries this subscriber has been sent up to
  created_at INTEGER NOT NULL,
  client TEXT NOT NULL DEFAULT '',
  callback_host TEXT NOT NULL DEFAULT '',
  UNIQUE(topic, callback));
-- At most one pending delivery per subscription: it always carries the feed as it is then.
CREATE TABLE IF NOT EXISTS deliveries(
  subscription INTEGER PRIMARY KEY REFERENCES subscriptions(id),
  due_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL,
  last_error TEXT,
  created_at INTEGER NOT NULL);
-- With a delegate hub: per topic, the entries it was told of, and a ping still owed.
CREATE TABLE IF NOT EXISTS pings(
  topic TEXT PRIMARY KEY,
  seen_entries INTEGER NOT NULL,
  pending INTEGER NOT NULL,
  due_at INTEGER NOT NULL,
  attempts INTEGER NOT NULL);
)sql";

// hub.db's schema version (PRAGMA user_version). 0: the first layout, without client and
// callback_host; 2: with them and their indexes.
constexpr int kSchemaVersion = 2;
constexpr const char* kIndexes = R"sql(
CREATE INDEX IF NOT EXISTS intents_client ON intents(client);
CREATE INDEX IF NOT EXISTS intents_callback_host ON intents(callback_host);
CREATE INDEX IF NOT EXISTS subscriptions_client ON subscriptions(client);
CREATE INDEX IF NOT EXISTS subscriptions_callback_host ON subscriptions(callback_host);
)sql";

constexpr std::size_t kMaxUrlBytes = 2000;  // hub.callback and hub.topic
constexpr std::size_t kMaxSecretBytes = 199;  // "MUST be less than 200 bytes"
constexpr std::int64_t kMaxSubscriptions = 100000;
constexpr std::size_t kParallelCalls = 16;


std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes));
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : raw) {
    out.push_back(hex[c >> 4]);
    out.push_back(hex[c & 15]);
  }
  return out;
}

bool success(int status) { return status >= 200 && status < 300; }

}  // namespace

struct Hub::Impl {
  HubOptions options;
  Transport transport;
  TopicSource topics;
  std::mutex db_mutex;
  Db db;
  std::thread worker;
  std::mutex wake_mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::atomic<bool> cancel_calls{false};  // set by stop(): calls in flight end at once
  CallPool calls{kParallelCalls};

  // Queues one outbound call and what follows from its answer.
  void submit(const std::string& key, std::function<void()> task) {
    calls.submit(key, [this, key, task = std::move(task)] {
      try {
        task();
      } catch (const std::exception& e) {
        log("internal error in " + key + ": " + e.what());
      }
    });
  }

  void log(const std::string& line) {
    if (options.log) options.log("websub: " + line);
  }

  // Runs a statement, logging a failure with what it cost. Caller holds db_mutex.
  bool run(Result<Stmt>& st, const std::string& cost) {
    Status s = st.ok() ? st->run() : st.status();
    if (!s.ok()) log("database error (" + cost + "): " + s.message());
    return s.ok();
  }
  bool prepared(Result<Stmt>& st, const std::string& cost) {
    if (!st.ok()) log("database error (" + cost + "): " + st.status().message());
    return st.ok();
  }

  UnixSeconds backoff(std::int64_t attempts) const {
    std::int64_t delay = options.first_retry.count();
    for (std::int64_t i = 1; i < attempts && delay < options.max_retry.count(); ++i) delay *= 2;
    return std::min<std::int64_t>(delay, options.max_retry.count());
  }

  OutboundResponse call(OutboundRequest r) {
    r.allow_private = r.allow_private || options.allow_private_callbacks;
    r.deadline = options.call_deadline;
    r.cancelled = &cancel_calls;
    return transport(r);
  }

  struct Intent {
    std::int64_t id;
    std::string mode, topic, callback, secret;
    std::int64_t lease;
    std::string client, callback_host;
  };

  void verify_intents(UnixSeconds now) {
    std::vector<Intent> intents;
    {
      std::lock_guard lock(db_mutex);
      auto st = db.prepare("SELECT id, mode, topic, callback, secret, lease, client, callback_host FROM intents "
                           "ORDER BY id LIMIT 200");
      if (!prepared(st, "intents not verified this round")) return;
      while (true) {
        auto row = st->step();
        if (!row.ok()) log("database error (intents not verified this round): " + row.status().message());
        if (!row.ok() || !*row) break;
        intents.push_back({st->int64(0), std::string(st->text(1)), std::string(st->text(2)),
                           std::string(st->text(3)), std::string(st->text(4)), st->int64(5),
                           std::string(st->text(6)), std::string(st->text(7))});
      }
    }
    for (auto& in : intents) submit("intent " + std::to_string(in.id), [this, in, now] { verify_one(in, now); });
  }

  void verify_one(const Intent& in, UnixSeconds now) {
    auto doc = topics(in.topic);
    if (!doc) {
      call({"GET", with_query(in.callback, {{"hub.mode", "denied"}, {"hub.topic", in.topic},
                                            {"hub.reason", "this hub publishes no feed at that topic"}}),
            {}, {}, false});
      log("denied " + in.callback + " for unknown topic " + in.topic);
    } else {
      const std::string challenge = random_hex(16);
      std::vector<std::pair<std::string, std::string>> q = {
          {"hub.mode", in.mode}, {"hub.topic", in.topic}, {"hub.challenge", challenge}};
      if (in.mode == "subscribe") q.emplace_back("hub.lease_seconds", std::to_string(in.lease));
      auto answer = call({"GET", with_query(in.callback, q), {}, {}, false});
      if (cancel_calls) return;  // stopping: the intent stays, to be verified after a restart
      const bool confirmed = success(answer.status) && answer.body == challenge;
      std::lock_guard lock(db_mutex);
      if (!confirmed) {
        log("intent to " + in.mode + " " + in.callback + " not confirmed (" +
            (answer.status ? "HTTP " + std::to_string(answer.status) : answer.error) + ")");
      } else if (in.mode == "subscribe") {
        // A renewal keeps what was sent already; a new subscriber starts from now.
        auto st = db.prepare(
            "INSERT INTO subscriptions(topic, callback, secret, expires_at, seen_entries, created_at, client, "
            "callback_host) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT(topic, callback) DO UPDATE SET "
            "secret=excluded.secret, expires_at=excluded.expires_at, client=excluded.client");
        if (st.ok())
          st->bind(1, in.topic).bind(2, in.callback).bind(3, in.secret).bind(4, now + in.lease)
              .bind(5, static_cast<std::int64_t>(doc->entries)).bind(6, now).bind(7, in.client)
              .bind(8, in.callback_host);
        if (!run(st, "confirmed subscription of " + in.callback + " not recorded; it must subscribe again")) return;
        log("subscribed " + in.callback + " to " + in.topic + " for " + std::to_string(in.lease) + " s");
      } else {
        if (!remove_subscription(in.topic, in.callback)) return;
        log("unsubscribed " + in.callback + " from " + in.topic);
      }
    }
    std::lock_guard lock(db_mutex);
    auto del = db.prepare("DELETE FROM intents WHERE id=?1");
    if (del.ok()) del->bind(1, in.id);
    run(del, "intent of " + in.callback + " kept; it will be verified again");
  }

  // Caller holds db_mutex.
  bool remove_subscription(const std::string& topic, const std::string& callback) {
    Transaction tx(db);
    if (Status s = tx.begin_immediate(); !s.ok()) {
      log("database error (" + callback + " not unsubscribed; tried again later): " + s.message());
      return false;
    }
    auto d = db.prepare(
        "DELETE FROM deliveries WHERE subscription IN (SELECT id FROM subscriptions WHERE topic=?1 AND callback=?2)");
    if (d.ok()) d->bind(1, topic).bind(2, callback);
    auto s = db.prepare("DELETE FROM subscriptions WHERE topic=?1 AND callback=?2");
    if (s.ok()) s->bind(1, topic).bind(2, callback);
    const std::string cost = callback + " not unsubscribed; tried again later";
    if (!run(d, cost) || !run(s, cost)) return false;
    Status c = tx.commit();
    if (!c.ok()) log("database error (" + cost + "): " + c.message());
    return c.ok();
  }

  void expire_leases(UnixSeconds now) {
    std::lock_guard lock(db_mutex);
    const std::string cost = "expired leases kept until the next round";
    Transaction tx(db);
    if (Status b = tx.begin_immediate(); !b.ok()) return log("database error (" + cost + "): " + b.message());
    auto d = db.prepare("DELETE FROM deliveries WHERE subscription IN (SELECT id FROM subscriptions WHERE expires_at <= ?1)");
    auto s = db.prepare("DELETE FROM subscriptions WHERE expires_at <= ?1");
    if (d.ok()) d->bind(1, now);
    if (s.ok()) s->bind(1, now);
    if (!run(d, cost) || !run(s, cost)) return;
    if (db.changes() > 0) log(std::to_string(db.changes()) + " lease(s) expired");
    if (Status c = tx.commit(); !c.ok()) log("database error (" + cost + "): " + c.message());
  }

  // Subscribers (or, with a delegate, topics) whose feed has entries they were not sent get a
  // delivery (or ping) due now.
  void notice_new_entries(UnixSeconds now) {
    std::vector<std::string> watched;
    {
      std::lock_guard lock(db_mutex);
      if (options.delegate_hub.empty()) {
        auto st = db.prepare("SELECT DISTINCT topic FROM subscriptions");
        if (!prepared(st, "new entries not looked for this round")) return;
        while (true) {
          auto row = st->step();
          if (!row.ok() || !*row) break;
          watched.emplace_back(st->text(0));
        }
      } else {
        if (options.delegate_topics) watched = options.delegate_topics();
      }
    }
    for (const auto& topic : watched) {
      auto doc = topics(topic);
      if (!doc) continue;
      const auto entries = static_cast<std::int64_t>(doc->entries);
      std::lock_guard lock(db_mutex);
      const std::string cost = "new entries of " + topic + " not scheduled until the next round";
      Transaction tx(db);
      if (Status b = tx.begin_immediate(); !b.ok()) return log("database error (" + cost + "): " + b.message());
      if (options.delegate_hub.empty()) {
        auto ins = db.prepare(
            "INSERT OR IGNORE INTO deliveries(subscription, due_at, attempts, created_at) "
            "SELECT id, ?3, 0, ?3 FROM subscriptions WHERE topic=?1 AND seen_entries < ?2");
        auto upd = db.prepare("UPDATE subscriptions SET seen_entries=?2 WHERE topic=?1 AND seen_entries < ?2");
        if (ins.ok()) ins->bind(1, topic).bind(2, entries).bind(3, now);
        if (upd.ok()) upd->bind(1, topic).bind(2, entries);
        if (!run(ins, cost) || !run(upd, cost)) return;
      } else {
        // The first time a topic is watched its entries are not news to the delegate.
        auto ins = db.prepare(
            "INSERT OR IGNORE INTO pings(topic, seen_entries, pending, due_at, attempts) VALUES(?1, ?2, 0, 0, 0)");
        auto upd = db.prepare(
            "UPDATE pings SET seen_entries=?2, pending=1, due_at=?3, attempts=0 WHERE topic=?1 AND seen_entries < ?2");
        if (ins.ok()) ins->bind(1, topic).bind(2, entries);
        if (upd.ok()) upd->bind(1, topic).bind(2, entries).bind(3, now);
        if (!run(ins, cost) || !run(upd, cost)) return;
      }
      if (Status c = tx.commit(); !c.ok()) log("database error (" + cost + "): " + c.message());
    }
  }

  struct Due {
    std::int64_t subscription;
    std::string topic, callback, secret;
    std::int64_t attempts;
  };

  void deliver(UnixSeconds now) {
    std::vector<Due> due;
    {
      std::lock_guard lock(db_mutex);
      auto st = db.prepare(
          "SELECT d.subscription, s.topic, s.callback, s.secret, d.attempts FROM deliveries d "
          "JOIN subscriptions s ON s.id = d.subscription WHERE d.due_at <= ?1 ORDER BY d.due_at LIMIT 100");
      if (!prepared(st, "deliveries not made this round")) return;
      st->bind(1, now);
      while (true) {
        auto row = st->step();
        if (!row.ok() || !*row) break;
        due.push_back({st->int64(0), std::string(st->text(1)), std::string(st->text(2)), std::string(st->text(3)),
                       st->int64(4)});
      }
    }
    for (auto& d : due)
      submit("delivery " + std::to_string(d.subscription), [this, d, now] { deliver_one(d, now); });
  }

  void deliver_one(const Due& d, UnixSeconds now) {
    auto doc = topics(d.topic);
    if (!doc) return;
    OutboundRequest req{"POST", d.callback, {}, doc->body, false};
    req.headers.emplace_back("Content-Type", doc->content_type);
    req.headers.emplace_back("Link", "<" + options.hub_url + ">; rel=\"hub\", <" + doc->self_url + ">; rel=\"self\"");
    if (!d.secret.empty())
      req.headers.emplace_back("X-Hub-Signature", "sha256=" + to_hex(hmac_sha256(d.secret, doc->body)));
    auto answer = call(std::move(req));
    if (cancel_calls) return;  // stopping: the delivery stays due, and no attempt is counted
    std::lock_guard lock(db_mutex);
    if (success(answer.status)) {
      auto del = db.prepare("DELETE FROM deliveries WHERE subscription=?1");
      if (del.ok()) del->bind(1, d.subscription);
      run(del, "delivery to " + d.callback + " not marked done; it will be made again");
      log("delivered " + d.topic + " to " + d.callback);
      return;
    }
    const std::int64_t attempts = d.attempts + 1;
    const std::string why = answer.status ? "HTTP " + std::to_string(answer.status) : answer.error;
    if (attempts >= options.max_attempts) {
      remove_subscription(d.topic, d.callback);
      log("dropped " + d.callback + " after " + std::to_string(attempts) + " failed deliveries (" + why + ")");
      return;
    }
    auto upd = db.prepare("UPDATE deliveries SET attempts=?2, due_at=?3, last_error=?4 WHERE subscription=?1");
    if (upd.ok()) upd->bind(1, d.subscription).bind(2, attempts).bind(3, now + backoff(attempts)).bind(4, why);
    run(upd, "failed attempt to " + d.callback + " not counted; it is retried at once");
    log("delivery to " + d.callback + " failed (" + why + "), attempt " + std::to_string(attempts) +
        ", next in " + std::to_string(backoff(attempts)) + " s");
  }

  void ping_delegate(UnixSeconds now) {
    if (options.delegate_hub.empty()) return;
    std::vector<std::pair<std::string, std::int64_t>> due;
    {
      std::lock_guard lock(db_mutex);
      auto st = db.prepare("SELECT topic, attempts FROM pings WHERE pending=1 AND due_at <= ?1");
      if (!prepared(st, "pings not sent this round")) return;
      st->bind(1, now);
      while (true) {
        auto row = st->step();
        if (!row.ok() || !*row) break;
        due.emplace_back(std::string(st->text(0)), st->int64(1));
      }
    }
    for (const auto& ping : due)
      submit("ping " + ping.first, [this, ping, now] { ping_one(ping.first, ping.second, now); });
  }

  void ping_one(const std::string& topic, std::int64_t attempts, UnixSeconds now) {
    OutboundRequest req{"POST", options.delegate_hub, {}, {}, true};  // the operator named it
    req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    req.body = "hub.mode=publish&hub.url=" + form_encode(topic) + "&hub.topic=" + form_encode(topic);
    auto answer = call(req);
    if (cancel_calls) return;
    std::lock_guard lock(db_mutex);
    auto upd = db.prepare("UPDATE pings SET pending=?2, attempts=?3, due_at=?4 WHERE topic=?1");
    if (!prepared(upd, "ping of " + topic + " not recorded; it is sent again")) return;
    if (success(answer.status)) {
      upd->bind(1, topic).bind(2, 0).bind(3, 0).bind(4, 0);
      log("pinged " + options.delegate_hub + " for " + topic);
    } else {
      // A ping is never given up: the delegate carries every subscriber.
      upd->bind(1, topic).bind(2, 1).bind(3, attempts + 1).bind(4, now + backoff(attempts + 1));
      log("ping of " + options.delegate_hub + " failed (" +
          (answer.status ? "HTTP " + std::to_string(answer.status) : answer.error) + ")");
    }
    run(upd, "ping of " + topic + " not recorded; it is sent again");
  }
};

namespace {

// Brings a hub.db written by an earlier version up to kSchemaVersion, in one transaction.
Status migrate(Db& db) {
  auto version = db.prepare("PRAGMA user_version");
  if (!version.ok()) return version.status();
  auto row = version->step();
  if (!row.ok()) return row.status();
  const std::int64_t found = *row ? version->int64(0) : 0;
  if (found == kSchemaVersion) return {};
  if (found > kSchemaVersion)
    return Status::invalid_input("hub.db has schema version " + std::to_string(found) +
                                 ", newer than this gazette knows (" + std::to_string(kSchemaVersion) + ")");
  Transaction tx(db);
  GAZETTE_RETURN_IF_ERROR(tx.begin_immediate());
  for (const char* table : {"intents", "subscriptions"}) {
    auto columns = db.prepare(std::string("SELECT name FROM pragma_table_info('") + table + "')");
    if (!columns.ok()) return columns.status();
    bool has_client = false;
    while (true) {
      auto c = columns->step();
      if (!c.ok()) return c.status();
      if (!*c) break;
      has_client = has_client || columns->text(0) == "client";
    }
    if (!has_client)
      GAZETTE_RETURN_IF_ERROR(db.exec(std::string("ALTER TABLE ") + table +
                                      " ADD COLUMN client TEXT NOT NULL DEFAULT ''; ALTER TABLE " + table +
                                      " ADD COLUMN callback_host TEXT NOT NULL DEFAULT '';"));
  }
  GAZETTE_RETURN_IF_ERROR(db.exec(kIndexes));
  GAZETTE_RETURN_IF_ERROR(db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion)));
  return tx.commit();
}

}  // namespace

Hub::Hub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Hub::~Hub() { stop(); }

Result<std::unique_ptr<Hub>> Hub::open(const HubOptions& options, Transport transport, TopicSource topics) {
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->transport = std::move(transport);
  impl->topics = std::move(topics);
  GAZETTE_RETURN_IF_ERROR(impl->db.open(options.db_path.string(), true));
  GAZETTE_RETURN_IF_ERROR(impl->db.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=5000;"));
  GAZETTE_RETURN_IF_ERROR(impl->db.exec(kSchema));
  GAZETTE_RETURN_IF_ERROR(migrate(impl->db));
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

HubAnswer Hub::request(std::string_view content_type, std::string_view body, const std::string& client) {
  auto bad = [](std::string why) { return HubAnswer{HubOutcome::malformed, std::move(why)}; };
  if (content_type.substr(0, 33) != "application/x-www-form-urlencoded")
    return {HubOutcome::unsupported_media_type, "send the subscription as application/x-www-form-urlencoded"};
  auto form = form_decode(body);
  if (!form.ok()) return bad(form.status().message());
  std::map<std::string, std::string> f;
  for (auto& [k, v] : *form) f.emplace(k, v);  // the first of repeated fields
  auto get = [&](const char* k) { return f.count(k) ? f[k] : std::string(); };
  const std::string mode = get("hub.mode"), topic = get("hub.topic"), callback = get("hub.callback");
  if (mode != "subscribe" && mode != "unsubscribe") return bad("hub.mode must be subscribe or unsubscribe");
  if (topic.empty()) return bad("hub.topic is required");
  if (callback.empty()) return bad("hub.callback is required");
  if (callback.size() > kMaxUrlBytes) return bad("hub.callback is longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  if (topic.size() > kMaxUrlBytes) return bad("hub.topic is longer than " + std::to_string(kMaxUrlBytes) + " bytes");
  auto cb = parse_url(callback);
  if (!cb.ok()) return bad("hub.callback: " + cb.status().message());
  if (!parse_url(topic).ok()) return bad("hub.topic must be an absolute http(s) URL");
  if (!impl_->options.allow_private_callbacks) {
    Status pub = check_callback_host(cb->host);
    if (!pub.ok()) return {HubOutcome::forbidden_callback, pub.message()};
  }
  const std::string secret = get("hub.secret");
  if (secret.size() > kMaxSecretBytes) return bad("hub.secret must be less than 200 bytes");
  std::int64_t lease = impl_->options.default_lease.count();
  if (f.count("hub.lease_seconds")) {
    const std::string& l = f["hub.lease_seconds"];
    if (l.empty() || l.size() > 10 || l.find_first_not_of("0123456789") != std::string::npos)
      return bad("hub.lease_seconds must be a whole number of seconds");
    lease = std::stoll(l);
  }
  lease = std::clamp<std::int64_t>(lease, impl_->options.min_lease.count(), impl_->options.max_lease.count());

  std::lock_guard lock(impl_->db_mutex);
  const HubAnswer unavailable{HubOutcome::unavailable, "the hub's store is not available", 30};
  // What this client, and this callback host, hold already (a renewal of the same
  // subscription does not count against itself).
  auto count = impl_->db.prepare(
      "SELECT (SELECT count(*) FROM subscriptions WHERE client=?1 AND NOT (topic=?3 AND callback=?4)), "
      "       (SELECT count(*) FROM intents WHERE client=?1), "
      "       (SELECT count(*) FROM subscriptions WHERE callback_host=?2 AND NOT (topic=?3 AND callback=?4)) + "
      "       (SELECT count(*) FROM intents WHERE callback_host=?2), "
      "       (SELECT count(*) FROM subscriptions) + (SELECT count(*) FROM intents)");
  if (!impl_->prepared(count, "a subscription request refused")) return unavailable;
  count->bind(1, client).bind(2, cb->host).bind(3, topic).bind(4, callback);
  auto row = count->step();
  if (!row.ok() || !*row) return unavailable;
  const std::int64_t client_subscriptions = count->int64(0), client_intents = count->int64(1),
                     host_total = count->int64(2), total = count->int64(3);
  const auto retry = static_cast<std::int64_t>(std::max<std::int64_t>(1, impl_->options.poll_every.count() / 1000) * 10);
  if (client_intents >= static_cast<std::int64_t>(impl_->options.max_pending_intents_per_client))
    return {HubOutcome::over_limit, "this client has " + std::to_string(client_intents) + " requests still being verified; try again later",
            retry};
  if (client_subscriptions + client_intents >= static_cast<std::int64_t>(impl_->options.max_subscriptions_per_client))
    return {HubOutcome::over_limit, "this client holds " + std::to_string(client_subscriptions) + " subscriptions, the most it may", 3600};
  if (host_total >= static_cast<std::int64_t>(impl_->options.max_subscriptions_per_callback_host))
    return {HubOutcome::over_limit, "callback host " + cb->host + " holds the most subscriptions it may", 3600};
  if (total >= kMaxSubscriptions) return {HubOutcome::unavailable, "the hub takes no more subscriptions", 3600};
  auto ins = impl_->db.prepare(
      "INSERT INTO intents(mode, topic, callback, secret, lease, created_at, client, callback_host) "
      "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  if (ins.ok())
    ins->bind(1, mode).bind(2, topic).bind(3, callback).bind(4, secret).bind(5, lease).bind(6, now_utc())
        .bind(7, client).bind(8, cb->host);
  if (!impl_->run(ins, "a subscription request refused")) return unavailable;
  impl_->wake.notify_one();
  return {HubOutcome::accepted, "intent to " + mode + " accepted; verification follows at the callback"};
}

namespace {

// One round: calls are queued, not waited for.
void start_round(Hub::Impl& impl, UnixSeconds now) {
  impl.verify_intents(now);
  impl.expire_leases(now);
  impl.notice_new_entries(now);
  impl.deliver(now);
  impl.ping_delegate(now);
}

}  // namespace

void Hub::work(UnixSeconds now) {
  // Verification first, so that a subscription it confirms is in place for the deliveries.
  impl_->verify_intents(now);
  impl_->calls.wait_idle();
  start_round(*impl_, now);
  impl_->calls.wait_idle();
}

void Hub::start() {
  impl_->worker = std::thread([this] {
    std::unique_lock lock(impl_->wake_mutex);
    while (!impl_->stopping) {
      lock.unlock();
      start_round(*impl_, now_utc());
      lock.lock();
      impl_->wake.wait_for(lock, impl_->options.poll_every, [this] { return impl_->stopping; });
    }
  });
}

void Hub::stop() {
  {
    std::lock_guard lock(impl_->wake_mutex);
    impl_->stopping = true;
  }
  impl_->cancel_calls = true;
  impl_->wake.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
  impl_->calls.stop();
}

Hub::Counts Hub::counts() {
  std::lock_guard lock(impl_->db_mutex);
  Counts c;
  auto st = impl_->db.prepare(
      "SELECT (SELECT count(*) FROM subscriptions), (SELECT count(*) FROM intents), (SELECT count(*) FROM deliveries)");
  if (!st.ok()) return c;
  auto row = st->step();
  if (!row.ok() || !*row) return c;
  c.subscriptions = st->int64(0);
  c.pending_intents = st->int64(1);
  c.pending_deliveries = st->int64(2);
  return c;
}

}  // namespace gazette::websub
