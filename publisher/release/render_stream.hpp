// Rendering an artefact as a stream of megabyte chunks: shared by the files of the release
// module that render (cut: whole artefacts; areas: each area's). Internal to publisher/release.
#pragma once

#include <string>

#include "publisher/common/status.hpp"
#include "publisher/model/contract.hpp"
#include "publisher/render/render.hpp"

namespace gazette {

// Renders every record into `sink`, flushing each megabyte.
template <typename ForEachBody, typename Sink>
Status render_stream(const Contract& contract, const ReleaseHeader& header,
                     ArtefactFormat format, ForEachBody&& for_each_body, Sink&& sink) {
  auto renderer = make_renderer(format, contract, header);
  if (!renderer)
    return Status::corruption(header.dataset + " " + header.release + ": " +
                              missing_renderer(renderer_name(header.renderer)));
  std::string buf;
  buf.reserve(1u << 21);
  renderer->begin(buf);
  Status s = for_each_body([&](std::string_view body) -> Status {
    renderer->record(body, buf);
    if (buf.size() >= (1u << 20)) {
      GAZETTE_RETURN_IF_ERROR(sink(buf));
      buf.clear();
    }
    return {};
  });
  GAZETTE_RETURN_IF_ERROR(s);
  renderer->end(buf);
  return sink(buf);
}

}  // namespace gazette
