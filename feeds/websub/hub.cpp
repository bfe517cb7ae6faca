// Method: every state change is a row in hub.db, written before the network is touched and
// removed only once the other side answered, so a crash repeats work rather than losing it.
// Calls out (verifications, deliveries, pings) happen outside the database lock, one at a
// time on the worker thread: a slow callback delays the others, never a request.
#include "feeds/websub/hub.hpp"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "publisher/common/sha256.hpp"
#include "publisher/common/url.hpp"
#include "publisher/store/sqlite.hpp"

namespace gazette::websub {

namespace {

using store_detail::Db;
using store_detail::Transaction;

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS intents(
  id INTEGER PRIMARY KEY,
  mode TEXT NOT NULL CHECK(mode IN ('subscribe', 'unsubscribe')),
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT NOT NULL,
  lease INTEGER NOT NULL,
  created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS subscriptions(
  id INTEGER PRIMARY KEY,
  topic TEXT NOT NULL,
  callback TEXT NOT NULL,
  secret TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  seen_entries INTEGER NOT NULL,  -- feed entries this subscriber has been sent up to
  created_at INTEGER NOT NULL,
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

constexpr std::size_t kMaxSecretBytes = 199;  // "MUST be less than 200 bytes"
constexpr std::int64_t kMaxSubscriptions = 100000;
constexpr std::size_t kParallelDeliveries = 8;

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

  void log(const std::string& line) {
    if (options.log) options.log("websub: " + line);
  }

  UnixSeconds backoff(std::int64_t attempts) const {
    std::int64_t delay = options.first_retry.count();
    for (std::int64_t i = 1; i < attempts && delay < options.max_retry.count(); ++i) delay *= 2;
    return std::min<std::int64_t>(delay, options.max_retry.count());
  }

  OutboundResponse call(OutboundRequest r) {
    r.allow_private = options.allow_private_callbacks;
    return transport(r);
  }

  struct Intent {
    std::int64_t id;
    std::string mode, topic, callback, secret;
    std::int64_t lease;
  };

  void verify_intents(UnixSeconds now) {
    std::vector<Intent> intents;
    {
      std::lock_guard lock(db_mutex);
      auto st = db.prepare("SELECT id, mode, topic, callback, secret, lease FROM intents ORDER BY id LIMIT 50");
      if (!st.ok()) return;
      while (true) {
        auto row = st->step();
        if (!row.ok() || !*row) break;
        intents.push_back({st->int64(0), std::string(st->text(1)), std::string(st->text(2)),
                           std::string(st->text(3)), std::string(st->text(4)), st->int64(5)});
      }
    }
    for (const auto& in : intents) {
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
        const bool confirmed = success(answer.status) && answer.body == challenge;
        std::lock_guard lock(db_mutex);
        if (!confirmed) {
          log("intent to " + in.mode + " " + in.callback + " not confirmed (" +
              (answer.status ? "HTTP " + std::to_string(answer.status) : answer.error) + ")");
        } else if (in.mode == "subscribe") {
          // A renewal keeps what was sent already; a new subscriber starts from now.
          auto st = db.prepare(
              "INSERT INTO subscriptions(topic, callback, secret, expires_at, seen_entries, created_at) "
              "VALUES(?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT(topic, callback) DO UPDATE SET "
              "secret=excluded.secret, expires_at=excluded.expires_at");
          if (st.ok()) {
            st->bind(1, in.topic).bind(2, in.callback).bind(3, in.secret).bind(4, now + in.lease)
                .bind(5, static_cast<std::int64_t>(doc->entries)).bind(6, now);
            (void)st->run();
          }
          log("subscribed " + in.callback + " to " + in.topic + " for " + std::to_string(in.lease) + " s");
        } else {
          remove_subscription(in.topic, in.callback);
          log("unsubscribed " + in.callback + " from " + in.topic);
        }
      }
      std::lock_guard lock(db_mutex);
      auto del = db.prepare("DELETE FROM intents WHERE id=?1");
      if (del.ok()) {
        del->bind(1, in.id);
        (void)del->run();
      }
    }
  }

  // Caller holds db_mutex.
  void remove_subscription(const std::string& topic, const std::string& callback) {
    auto d = db.prepare(
        "DELETE FROM deliveries WHERE subscription IN (SELECT id FROM subscriptions WHERE topic=?1 AND callback=?2)");
    if (d.ok()) {
      d->bind(1, topic).bind(2, callback);
      (void)d->run();
    }
    auto s = db.prepare("DELETE FROM subscriptions WHERE topic=?1 AND callback=?2");
    if (s.ok()) {
      s->bind(1, topic).bind(2, callback);
      (void)s->run();
    }
  }

  void expire_leases(UnixSeconds now) {
    std::lock_guard lock(db_mutex);
    Transaction tx(db);
    if (!tx.begin_immediate().ok()) return;
    auto d = db.prepare("DELETE FROM deliveries WHERE subscription IN (SELECT id FROM subscriptions WHERE expires_at <= ?1)");
    auto s = db.prepare("DELETE FROM subscriptions WHERE expires_at <= ?1");
    if (!d.ok() || !s.ok()) return;
    d->bind(1, now);
    s->bind(1, now);
    if (!d->run().ok() || !s->run().ok()) return;
    if (db.changes() > 0) log(std::to_string(db.changes()) + " lease(s) expired");
    (void)tx.commit();
  }

  // Subscribers (or, with a delegate, topics) whose feed has entries they were not sent get a
  // delivery (or ping) due now.
  void notice_new_entries(UnixSeconds now) {
    std::vector<std::string> watched;
    {
      std::lock_guard lock(db_mutex);
      if (options.delegate_hub.empty()) {
        auto st = db.prepare("SELECT DISTINCT topic FROM subscriptions");
        if (!st.ok()) return;
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
      Transaction tx(db);
      if (!tx.begin_immediate().ok()) return;
      if (options.delegate_hub.empty()) {
        auto ins = db.prepare(
            "INSERT OR IGNORE INTO deliveries(subscription, due_at, attempts, created_at) "
            "SELECT id, ?3, 0, ?3 FROM subscriptions WHERE topic=?1 AND seen_entries < ?2");
        auto upd = db.prepare("UPDATE subscriptions SET seen_entries=?2 WHERE topic=?1 AND seen_entries < ?2");
        if (!ins.ok() || !upd.ok()) return;
        ins->bind(1, topic).bind(2, entries).bind(3, now);
        upd->bind(1, topic).bind(2, entries);
        if (!ins->run().ok() || !upd->run().ok()) return;
      } else {
        // The first time a topic is watched its entries are not news to the delegate.
        auto ins = db.prepare(
            "INSERT OR IGNORE INTO pings(topic, seen_entries, pending, due_at, attempts) VALUES(?1, ?2, 0, 0, 0)");
        auto upd = db.prepare(
            "UPDATE pings SET seen_entries=?2, pending=1, due_at=?3, attempts=0 WHERE topic=?1 AND seen_entries < ?2");
        if (!ins.ok() || !upd.ok()) return;
        ins->bind(1, topic).bind(2, entries);
        upd->bind(1, topic).bind(2, entries).bind(3, now);
        if (!ins->run().ok() || !upd->run().ok()) return;
      }
      (void)tx.commit();
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
      if (!st.ok()) return;
      st->bind(1, now);
      while (true) {
        auto row = st->step();
        if (!row.ok() || !*row) break;
        due.push_back({st->int64(0), std::string(st->text(1)), std::string(st->text(2)), std::string(st->text(3)),
                       st->int64(4)});
      }
    }
    // A few callbacks at a time, so that one that hangs until its deadline holds up no other.
    std::atomic<std::size_t> next{0};
    auto run = [&] {
      for (std::size_t i; (i = next.fetch_add(1)) < due.size();) deliver_one(due[i], now);
    };
    std::vector<std::thread> helpers;
    for (std::size_t t = 1; t < std::min<std::size_t>(due.size(), kParallelDeliveries); ++t) helpers.emplace_back(run);
    run();
    for (auto& h : helpers) h.join();
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
    std::lock_guard lock(db_mutex);
    if (success(answer.status)) {
      auto del = db.prepare("DELETE FROM deliveries WHERE subscription=?1");
      if (del.ok()) {
        del->bind(1, d.subscription);
        (void)del->run();
      }
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
    if (upd.ok()) {
      upd->bind(1, d.subscription).bind(2, attempts).bind(3, now + backoff(attempts)).bind(4, why);
      (void)upd->run();
    }
    log("delivery to " + d.callback + " failed (" + why + "), attempt " + std::to_string(attempts) +
        ", next in " + std::to_string(backoff(attempts)) + " s");
  }

  void ping_delegate(UnixSeconds now) {
    if (options.delegate_hub.empty()) return;
    std::vector<std::pair<std::string, std::int64_t>> due;
    {
      std::lock_guard lock(db_mutex);
      auto st = db.prepare("SELECT topic, attempts FROM pings WHERE pending=1 AND due_at <= ?1");
      if (!st.ok()) return;
      st->bind(1, now);
      while (true) {
        auto row = st->step();
        if (!row.ok() || !*row) break;
        due.emplace_back(std::string(st->text(0)), st->int64(1));
      }
    }
    for (const auto& [topic, attempts] : due) {
      OutboundRequest req{"POST", options.delegate_hub, {}, {}, true};  // the operator named it
      req.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
      req.body = "hub.mode=publish&hub.url=" + form_encode(topic) + "&hub.topic=" + form_encode(topic);
      auto answer = transport(req);
      std::lock_guard lock(db_mutex);
      auto upd = db.prepare("UPDATE pings SET pending=?2, attempts=?3, due_at=?4 WHERE topic=?1");
      if (!upd.ok()) continue;
      if (success(answer.status)) {
        upd->bind(1, topic).bind(2, 0).bind(3, 0).bind(4, 0);
        log("pinged " + options.delegate_hub + " for " + topic);
      } else {
        // A ping is never given up: the delegate carries every subscriber.
        upd->bind(1, topic).bind(2, 1).bind(3, attempts + 1).bind(4, now + backoff(attempts + 1));
        log("ping of " + options.delegate_hub + " failed (" +
            (answer.status ? "HTTP " + std::to_string(answer.status) : answer.error) + ")");
      }
      (void)upd->run();
    }
  }
};

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
  return std::unique_ptr<Hub>(new Hub(std::move(impl)));
}

HubAnswer Hub::request(std::string_view content_type, std::string_view body) {
  auto bad = [](std::string why) { return HubAnswer{400, std::move(why)}; };
  if (content_type.substr(0, 33) != "application/x-www-form-urlencoded")
    return {415, "send the subscription as application/x-www-form-urlencoded"};
  auto form = form_decode(body);
  if (!form.ok()) return bad(form.status().message());
  std::map<std::string, std::string> f;
  for (auto& [k, v] : *form) f.emplace(k, v);  // the first of repeated fields
  auto get = [&](const char* k) { return f.count(k) ? f[k] : std::string(); };
  const std::string mode = get("hub.mode"), topic = get("hub.topic"), callback = get("hub.callback");
  if (mode != "subscribe" && mode != "unsubscribe") return bad("hub.mode must be subscribe or unsubscribe");
  if (topic.empty()) return bad("hub.topic is required");
  if (callback.empty()) return bad("hub.callback is required");
  auto cb = parse_url(callback);
  if (!cb.ok()) return bad("hub.callback: " + cb.status().message());
  if (!parse_url(topic).ok()) return bad("hub.topic must be an absolute http(s) URL");
  if (!impl_->options.allow_private_callbacks) {
    Status pub = check_public_host(cb->host);
    if (!pub.ok()) return {pub.code() == StatusCode::not_found ? 400 : 403, pub.message()};
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
  auto count = impl_->db.prepare("SELECT (SELECT count(*) FROM subscriptions) + (SELECT count(*) FROM intents)");
  if (!count.ok()) return {503, "the hub's store is not available"};
  auto row = count->step();
  if (!row.ok() || !*row) return {503, "the hub's store is not available"};
  if (count->int64(0) >= kMaxSubscriptions) return {503, "the hub takes no more subscriptions"};
  auto ins = impl_->db.prepare(
      "INSERT INTO intents(mode, topic, callback, secret, lease, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
  if (!ins.ok()) return {503, "the hub's store is not available"};
  ins->bind(1, mode).bind(2, topic).bind(3, callback).bind(4, secret).bind(5, lease).bind(6, now_utc());
  if (!ins->run().ok()) return {503, "the hub's store is not available"};
  impl_->wake.notify_one();
  return {202, "intent to " + mode + " accepted; verification follows at the callback"};
}

void Hub::work(UnixSeconds now) {
  impl_->verify_intents(now);
  impl_->expire_leases(now);
  impl_->notice_new_entries(now);
  impl_->deliver(now);
  impl_->ping_delegate(now);
}

void Hub::start() {
  impl_->worker = std::thread([this] {
    std::unique_lock lock(impl_->wake_mutex);
    while (!impl_->stopping) {
      lock.unlock();
      work(now_utc());
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
  impl_->wake.notify_all();
  if (impl_->worker.joinable()) impl_->worker.join();
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
