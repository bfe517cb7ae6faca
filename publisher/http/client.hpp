// The hub's outbound HTTP: one request that returns by its deadline (or when cancelled), over http or https, never
// following redirects, refusing private addresses unless the request allows them. Beast stays
// inside client.cpp.
//
// Thread-safety: reentrant.
#pragma once

#include "feeds/websub/hub.hpp"

namespace gazette::http {

websub::OutboundResponse http_call(const websub::OutboundRequest& request);

}  // namespace gazette::http
