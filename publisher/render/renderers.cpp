#include <vector>

#include "publisher/model/record.hpp"
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
    out += "{\"dataset\":";
    append_json_string(out, header_.dataset);
    out += ",\"release\":";
    append_json_string(out, header_.release);
    out += ",\"published_at\":";
    append_json_string(out, header_.published_at);
    out += ",\"contract_version\":" + std::to_string(header_.contract_version);
    out += ",\"record_count\":" + std::to_string(header_.record_count);
    out += ",\"records\":[";
  }
  void record(std::string_view body, std::string& out) override {
    decode_record(body, fields_);
    out += first_ ? "\n{" : ",\n{";
    first_ = false;
    for (std::size_t i = 0; i < fields_.size(); ++i) {
      if (i) out.push_back(',');
      out += keys_[i];
      if (fields_[i].empty()) {
        out += "null";
      } else if (numeric_[i]) {
        out.append(fields_[i]);  // validated at import: a JSON number as written
      } else {
        append_json_string(out, fields_[i]);
      }
    }
    out.push_back('}');
  }
  void end(std::string& out) override { out += "\n]}\n"; }

 private:
  ReleaseHeader header_;
  std::vector<std::string> keys_;
  std::vector<bool> numeric_;
  std::vector<std::string_view> fields_;
  bool first_ = true;
};

}  // namespace

std::unique_ptr<ArtefactRenderer> make_renderer(ArtefactFormat format, const Contract& contract,
                                                const ReleaseHeader& header) {
  switch (format) {
    case ArtefactFormat::csv: return std::make_unique<CsvRenderer>(contract);
    case ArtefactFormat::xml: return std::make_unique<XmlRenderer>(contract, header);
    case ArtefactFormat::json: return std::make_unique<JsonRenderer>(contract, header);
  }
  return nullptr;
}

const char* extension(ArtefactFormat f) {
  switch (f) {
    case ArtefactFormat::csv: return "csv";
    case ArtefactFormat::xml: return "xml";
    case ArtefactFormat::json: return "json";
  }
  return "csv";
}

const char* media_type(ArtefactFormat f) {
  switch (f) {
    case ArtefactFormat::csv: return "text/csv; charset=utf-8; header=present";
    case ArtefactFormat::xml: return "application/xml";
    case ArtefactFormat::json: return "application/json";
  }
  return "application/octet-stream";
}

}  // namespace gazette
