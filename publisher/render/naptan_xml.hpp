// The NaPTAN 2.4 XML renderer, private to the render module (make_renderer chooses it).
#pragma once

#include <memory>

#include "publisher/render/render.hpp"

namespace gazette {

std::unique_ptr<ArtefactRenderer> make_naptan_xml_renderer(const Contract& contract, const ReleaseHeader& header);

}  // namespace gazette
