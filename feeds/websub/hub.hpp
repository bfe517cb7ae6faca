// The WebSub hub (W3C Recommendation, 2018): subscribers POST a form to /websub, the hub
// verifies their intent with a GET carrying a challenge, and from then on POSTs the updated
// feed to their callback whenever a release or notice is published, signed with their secret.
//
// Everything the hub must not forget lives in DIR/hub.db (SQLite): intents still to verify,
// subscriptions with their leases, how many feed entries each subscriber has been sent, and
// deliveries still to make with their attempts. So a server that restarts resumes its retries,
// and one that was down while a release was cut delivers it when it starts. The release store
// is never written; hub.db is the server's only writable state.
//
// With a delegate hub (`--hub URL`) the hub does no fan-out: it pings that hub
// (hub.mode=publish) for each topic with new entries, durably and with the same retries.
//
// Thread-safety: request() may be called from any thread; rounds of work run on one worker thread,
// started by start() and stopped by stop() (or the destructor).
#pragma once

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "publisher/common/status.hpp"
#include "publisher/common/time.hpp"

namespace gazette::websub {

// An outbound HTTP call and its answer. The transport never follows redirects and refuses
// private, loopback and link-local addresses unless `allow_private`.
struct OutboundRequest {
  std::string method;  // GET or POST
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool allow_private = false;
  // The whole call (name lookup, connect, TLS, write, read) ends by this deadline, or as soon
  // as *cancelled becomes true (the hub is stopping), with an error.
  std::chrono::milliseconds deadline{10000};
  const std::atomic<bool>* cancelled = nullptr;
};
struct OutboundResponse {
  int status = 0;      // 0: no HTTP answer (see error)
  std::string body;    // the first 64 KiB at most
  std::string error;
};
using Transport = std::function<OutboundResponse(const OutboundRequest&)>;

// What the hub can deliver for a topic: the feed document now, and how many entries the feed
// has (entries are only ever appended, so a higher count means news).
struct TopicDocument {
  std::string body;
  std::string content_type;
  std::string self_url;
  std::size_t entries = 0;
};
// Answers for a topic URL, or nullopt when the server publishes no such feed.
using TopicSource = std::function<std::optional<TopicDocument>(const std::string& topic)>;

struct HubOptions {
  std::filesystem::path db_path;     // DIR/hub.db
  std::string hub_url;               // this hub's public URL (rel="hub" in deliveries)
  std::string delegate_hub;          // --hub: ping this hub instead of fanning out
  // With a delegate: the topic URLs to watch (asked each round, as datasets come and go).
  std::function<std::vector<std::string>()> delegate_topics;
  bool allow_private_callbacks = false;
  std::chrono::seconds default_lease{10 * 24 * 3600};
  std::chrono::seconds max_lease{30 * 24 * 3600};
  std::chrono::seconds min_lease{60};
  std::chrono::seconds first_retry{30};  // then doubling, up to max_retry
  std::chrono::seconds max_retry{3600};
  int max_attempts = 8;  // a callback failing this many times in a row is dropped
  std::chrono::milliseconds call_deadline{10000};  // each verification, delivery or ping, all told
  // So that no one client, and no one callback host, can fill hub.db (429 beyond):
  std::size_t max_subscriptions_per_client = 100;       // subscriptions and intents, by client address
  std::size_t max_pending_intents_per_client = 20;      // intents not yet verified
  std::size_t max_subscriptions_per_callback_host = 1000;
  std::chrono::milliseconds poll_every{500};
  std::function<void(const std::string&)> log;  // one line per event; null: silent
};

// What the hub made of a subscription request; the HTTP layer maps each outcome to a status
// (202, 400, 415, 403, 429, 503).
enum class HubOutcome {
  accepted,                // the intent is queued; verification follows at the callback
  malformed,               // a field is missing, too long or not what WebSub allows
  unsupported_media_type,  // not a form
  forbidden_callback,      // the callback names a private, loopback or link-local host
  over_limit,              // the client or callback host holds the most it may: try later
  unavailable,             // the hub's store failed, or the hub is full
};
struct HubAnswer {
  HubOutcome outcome = HubOutcome::accepted;
  std::string detail;            // what was accepted, or why not
  std::int64_t retry_after = 0;  // seconds, for over_limit and unavailable
};

class Hub {
 public:
  static Result<std::unique_ptr<Hub>> open(const HubOptions& options, Transport transport, TopicSource topics);
  ~Hub();

  // POST /websub with an application/x-www-form-urlencoded body, from `client` (its address).
  HubAnswer request(std::string_view content_type, std::string_view body, const std::string& client);

  // One round of work: verify intents, expire leases, notice new entries, make due deliveries,
  // and wait for the calls it made (for tests: the worker thread does not wait).
  void work(UnixSeconds now);

  void start();  // the worker thread: a round every poll_every; its calls run on a pool
  void stop();

  // For tests and /metrics: subscriptions active, deliveries pending.
  struct Counts {
    std::int64_t subscriptions = 0, pending_intents = 0, pending_deliveries = 0;
  };
  Counts counts();

  struct Impl;

 private:
  explicit Hub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Whether an IPv4 or IPv6 address (text) is private, loopback, link-local, unspecified,
// multicast or otherwise not on the public Internet.
bool is_private_address(const std::string& address);

// Judges a callback's host as a subscription request arrives, without a name lookup (which
// could hold the request's thread for as long as a resolver cares to take): invalid_input for
// a literal address that is not public, or for localhost and names under .localhost. Any
// other name is resolved when the intent is verified, by the outbound client, which has a
// deadline and connects to public addresses only.
Status check_callback_host(const std::string& host);

}  // namespace gazette::websub
