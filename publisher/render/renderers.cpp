#include <cstdio>
#include <vector>

#include "publisher/contract/positions.hpp"
#include "publisher/model/record.hpp"
#include "publisher/render/naptan_xml.hpp"
#include "publisher/render/render.hpp"

namespace gazette {

namespace {

class CsvRenderer : public ArtefactRenderer {
 public:
  explicit CsvRenderer(const Contract& c) : contract_(c) {}
  void begin(std::string& out) override {
    for (std::size_t i = 0; i < contract_.columns.size(); ++i) {
      if (i) out.push_back(',');
      append_csv_field(out, contract_.columns[i].name);
    }
    out += "\r\n";
  }
  void record(std::string_view body, std::string& out) override {
    decode_record(body, fields_);
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (i) out.push_back(',');
      append_csv_field(out, fields_[i]);
    }
    out += "\r\n";
  }
  void end(std::string&) override {}

 private:
  const Contract& contract_;
  std::vector<std::string_view> fields_;
};

class XmlRenderer : public ArtefactRenderer {
 public:
  XmlRenderer(const Contract& c, const ReleaseHeader& h) : contract_(c), header_(h) {}
  void begin(std::string& out) override {
    out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<release xmlns=\"";
    out += kReleaseXmlNamespace;
    out += "\" dataset=\"";
    append_xml_escaped(out, header_.dataset);
    out += "\" id=\"";
    append_xml_escaped(out, header_.release);
    out += "\" published_at=\"";
    append_xml_escaped(out, header_.published_at);
    out += "\" contract_version=\"" + std::to_string(header_.contract_version) +
           "\" records=\"" + std::to_string(header_.record_count) + "\">\n";
  }
  void record(std::string_view body, std::string& out) override {
    decode_record(body, fields_);
    out += "<record>";
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (fields_[i].empty()) continue;  // null: the element is absent
      const std::string& name = contract_.columns[i].name;
      out.push_back('<');
      out += name;
      out.push_back('>');
      append_xml_escaped(out, fields_[i]);
      out += "</";
      out += name;
      out.push_back('>');
    }
    out += "</record>\n";
  }
  void end(std::string& out) override { out += "</release>\n"; }

 private:
  const Contract& contract_;
  ReleaseHeader header_;
  std::vector<std::string_view> fields_;
};

// The release's facts as JSON members: "dataset":…,"record_count":N.
void append_header_members(const ReleaseHeader& h, std::string& out) {
  out += "\"dataset\":";
  append_json_string(out, h.dataset);
  out += ",\"release\":";
  append_json_string(out, h.release);
  out += ",\"published_at\":";
  append_json_string(out, h.published_at);
  out += ",\"contract_version\":" + std::to_string(h.contract_version);
  out += ",\"record_count\":" + std::to_string(h.record_count);
}

class JsonRenderer : public ArtefactRenderer {
 public:
  JsonRenderer(const Contract& c, const ReleaseHeader& h) : header_(h) {
    for (const auto& col : c.columns) {
      std::string k;
      append_json_string(k, col.name);
      keys_.push_back(k + ":");
      numeric_.push_back(col.type == ColumnType::integer || col.type == ColumnType::decimal);
    }
  }
  void begin(std::string& out) override {
    out += "{";
    append_header_members(header_, out);
    out += ",\"records\":[";
  }
  void record(std::string_view body, std::string& out) override {
    decode_record(body, fields_);
    out += first_ ? "\n" : ",\n";
    first_ = false;
    object(fields_, out);
  }
  void end(std::string& out) override { out += "\n]}\n"; }

  // A record as a JSON object: its columns by name, numbers as numbers, empty as null.
  void object(const std::vector<std::string_view>& fields, std::string& out) const {
    out.push_back('{');
    for (std::size_t i = 0; i < fields.size() && i < keys_.size(); ++i) {
      if (i) out.push_back(',');
      out += keys_[i];
      if (fields[i].empty()) {
        out += "null";
      } else if (numeric_[i]) {
        out.append(fields[i]);  // validated at import: a JSON number as written
      } else {
        append_json_string(out, fields[i]);
      }
    }
    out.push_back('}');
  }

 private:
  ReleaseHeader header_;
  std::vector<std::string> keys_;
  std::vector<bool> numeric_;
  std::vector<std::string_view> fields_;
  bool first_ = true;
};

// RFC 7946: a FeatureCollection of Points in WGS84 longitude, latitude order; the key is each
// feature's id and every column a property (typed as in the JSON artefact). The position is
// the geographic columns as written where a record has them, else its first other
// representation brought to WGS84 by PROJ and written to 6 decimals (0.1 m: below any
// survey's accuracy, and steady across PROJ versions, so an evicted artefact renders again to
// the same bytes); a record with no position is a feature with a null geometry.
class GeoJsonRenderer : public ArtefactRenderer {
 public:
  GeoJsonRenderer(const Contract& c, const ReleaseHeader& h)
      : contract_(c), header_(h), properties_(c, h), meter_(c.position) {}
  void begin(std::string& out) override {
    out += "{\"type\":\"FeatureCollection\",";
    append_header_members(header_, out);  // foreign members (RFC 7946, 6.1)
    out += ",\"features\":[";
  }
  void record(std::string_view body, std::string& out) override {
    decode_record(body, fields_);
    out += first_ ? "\n{\"type\":\"Feature\",\"id\":" : ",\n{\"type\":\"Feature\",\"id\":";
    first_ = false;
    std::string key;
    for (std::size_t i = 0; i < contract_.key_indices.size(); ++i) {
      if (i) key.push_back('/');
      const std::size_t k = contract_.key_indices[i];
      if (k < fields_.size()) key.append(fields_[k]);
    }
    append_json_string(out, key);
    out += ",\"geometry\":";
    append_point(out);
    out += ",\"properties\":";
    properties_.object(fields_, out);
    out.push_back('}');
  }
  void end(std::string& out) override { out += "\n]}\n"; }

 private:
  void append_point(std::string& out) {
    const auto& pos = contract_.position;
    const std::size_t none = static_cast<std::size_t>(-1);
    if (pos && pos->longitude != none && pos->latitude != none && pos->longitude < fields_.size() &&
        pos->latitude < fields_.size() && !fields_[pos->longitude].empty() && !fields_[pos->latitude].empty()) {
      out += "{\"type\":\"Point\",\"coordinates\":[";
      out.append(fields_[pos->longitude]);  // validated at import: a JSON number as written
      out.push_back(',');
      out.append(fields_[pos->latitude]);
      out += "]}";
      return;
    }
    for (std::size_t rep = 0; rep < meter_.representations(); ++rep) {
      if (auto p = meter_.point(rep, fields_)) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "{\"type\":\"Point\",\"coordinates\":[%.6f,%.6f]}", p->lon, p->lat);
        out += buf;
        return;
      }
    }
    out += "null";
  }

  const Contract& contract_;
  ReleaseHeader header_;
  JsonRenderer properties_;
  PositionMeter meter_;
  std::vector<std::string_view> fields_;
  bool first_ = true;
};

}  // namespace

std::optional<ArtefactFormat> format_from_extension(std::string_view ext) {
  for (ArtefactFormat f : kArtefactFormats)
    if (ext == extension(f)) return f;
  return std::nullopt;
}

bool has_format(const Contract& contract, ArtefactFormat f) {
  return f != ArtefactFormat::geojson || (contract.position && !contract.position->representations.empty());
}

std::string renderer_name(int version) { return "gazette-render/" + std::to_string(version); }

int renderer_version(std::string_view name) {
  for (int v = 1; v <= kRenderVersion; ++v)
    if (name == renderer_name(v)) return v;
  return 0;
}

std::string missing_renderer(std::string_view name) {
  return "rendered by '" + std::string(name) + "', which this gazette does not have (it has " + renderer_name(1) +
         " to " + renderer_name(kRenderVersion) + ")";
}

std::string format_change_note(const Contract& contract, const std::string& dataset, int from, int to) {
  if (from < 2 && to >= 2 && has_naptan_layout(contract))
    return "From this release on, " + dataset +
           ".xml is NaPTAN 2.4 XML (a NaPTAN root with StopPoints, each StopPoint as DfT's own files write it, valid "
           "against DfT's schema modules) in place of gazette's generic record layout; earlier releases keep their "
           "files, byte for byte.";
  return "";
}

std::unique_ptr<ArtefactRenderer> make_renderer(ArtefactFormat format, const Contract& contract,
                                                const ReleaseHeader& header) {
  if (header.renderer < 1 || header.renderer > kRenderVersion) return nullptr;
  switch (format) {
    case ArtefactFormat::csv: return std::make_unique<CsvRenderer>(contract);
    case ArtefactFormat::xml:
      if (header.renderer >= 2 && has_naptan_layout(contract)) return make_naptan_xml_renderer(contract, header);
      return std::make_unique<XmlRenderer>(contract, header);
    case ArtefactFormat::json: return std::make_unique<JsonRenderer>(contract, header);
    case ArtefactFormat::geojson: return std::make_unique<GeoJsonRenderer>(contract, header);
  }
  return nullptr;
}

const char* extension(ArtefactFormat f) {
  switch (f) {
    case ArtefactFormat::csv: return "csv";
    case ArtefactFormat::xml: return "xml";
    case ArtefactFormat::json: return "json";
    case ArtefactFormat::geojson: return "geojson";
  }
  return "csv";
}

const char* media_type(ArtefactFormat f) {
  switch (f) {
    case ArtefactFormat::csv: return "text/csv; charset=utf-8; header=present";
    case ArtefactFormat::xml: return "application/xml";
    case ArtefactFormat::json: return "application/json";
    case ArtefactFormat::geojson: return "application/geo+json";  // RFC 7946
  }
  return "application/octet-stream";
}

}  // namespace gazette
