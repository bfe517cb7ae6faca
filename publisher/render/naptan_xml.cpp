// Method: NaPTAN 2.4 XML from the contract's XML paths (the very paths the reader reads) and
// the schema's element order. A record's layout depends on its values: StopType (and, for an
// on-street bus stop, BusStopType) picks the StopClassification branch, and whether it has
// both a grid and a WGS84 position picks Location's Translation form. For each layout met, a
// template is built once: a tree of elements whose leaves are columns, each column at the
// first of its paths the layout allows, children in schema order, and the list of columns
// with no place in it, which go to the record's Extensions. A record is then written by
// walking its template; an element none of whose leaves has a value is taken back out,
// unless the layout requires it (<Entrance/>).
#include <algorithm>
#include <map>

#include "publisher/model/record.hpp"
#include "publisher/render/naptan_xml.hpp"
#include "publisher/render/render.hpp"

namespace gazette {

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
constexpr std::string_view kNaptanNamespace = "http://www.naptan.org.uk/";
constexpr std::string_view kNaptanSchemaVersion = "2.4";

// NaPTAN 2.4's child order (NaPT_stop-v2-4.xsd, NaPT_location-v2-1.xsd) of the elements the
// contract's paths can reach. An element not listed keeps its children in column order.
const std::map<std::string_view, std::vector<std::string_view>>& child_order() {
  static const std::map<std::string_view, std::vector<std::string_view>> order = [] {
    const std::vector<std::string_view> location = {"GridType", "Easting", "Northing", "Longitude", "Latitude",
                                                    "Translation"};
    const std::vector<std::string_view> station = {"Entrance", "AccessArea", "Platform", "Berth", "Bay",
                                                   "VariableBay", "AnnotatedAirRef", "AnnotatedFerryRef",
                                                   "AnnotatedRailRef", "AnnotatedMetroRef", "AnnotatedCoachRef"};
    std::map<std::string_view, std::vector<std::string_view>> m = {
        {"StopPoint",
         {"AtcoCode", "NaptanCode", "PlateCode", "CleardownCode", "Descriptor", "AlternativeDescriptors", "Place",
          "StopClassification", "StopAreas", "AdministrativeAreaRef", "PlusbusZones", "Notes", "Public",
          "StopAvailability", "Extensions"}},
        {"Descriptor", {"CommonName", "ShortCommonName", "Landmark", "Street", "Crossing", "Indicator"}},
        {"Place",
         {"NptgLocalityRef", "LocalityName", "AlternativeNptgLocalities", "MainNptgLocalities", "Suburb", "Town",
          "LocalityCentre", "Location"}},
        {"Location", location},
        {"StartPoint", location},
        {"EndPoint", location},
        {"Translation", location},
        {"StopClassification", {"StopType", "OnStreet", "OffStreet"}},
        {"OnStreet", {"Bus", "Taxi", "Car"}},
        {"OffStreet", {"Air", "Ferry", "Rail", "Metro", "BusAndCoach", "Telecabine"}},
        {"Bus",
         {"BusStopType", "TimingStatus", "MarkedPoint", "UnmarkedPoint", "HailAndRideSection", "FlexibleZone",
          "AnnotatedCoachRef"}},
        {"Taxi", {"TaxiRank", "SharedTaxiRank"}},
        {"Car", {"SetDownPickUpArea"}},
        {"MarkedPoint", {"DefaultWaitTime", "Bearing"}},
        {"UnmarkedPoint", {"Bearing"}},
        {"HailAndRideSection", {"StartPoint", "EndPoint", "Bearing"}},
        {"FlexibleZone", {"Location"}},
        {"Bay", {"TimingStatus"}},
        {"VariableBay", {"TimingStatus"}},
        {"Bearing", {"CompassPoint", "Degrees"}},
    };
    for (std::string_view mode : {"Air", "Ferry", "Rail", "Metro", "BusAndCoach", "Telecabine"}) m[mode] = station;
    for (std::string_view empty : {"Entrance", "AccessArea", "Platform", "Berth", "TaxiRank", "SharedTaxiRank",
                                   "SetDownPickUpArea"})
      m[empty] = {};
    return m;
  }();
  return order;
}

// The elements of StopClassification's choices: below it, a path may take only the branch
// its record's layout takes.
bool is_classification_choice(std::string_view name) {
  static const std::vector<std::string_view> choices = {
      "OnStreet", "OffStreet", "Bus",   "Taxi",   "Car",        "Air",          "Ferry",      "Rail",
      "Metro",    "BusAndCoach", "Telecabine", "MarkedPoint", "UnmarkedPoint", "HailAndRideSection",
      "FlexibleZone", "Entrance", "AccessArea", "Platform", "Berth", "Bay", "VariableBay", "TaxiRank",
      "SharedTaxiRank", "SetDownPickUpArea"};
  return std::find(choices.begin(), choices.end(), name) != choices.end();
}

bool is_position_element(std::string_view name) {
  return name == "GridType" || name == "Easting" || name == "Northing" || name == "Longitude" || name == "Latitude";
}

// The StopClassification branch of a stop type (NaPT_stop-v2-4.xsd, StopTypeEnumeration), and
// for an on-street bus stop the branch of its BusStopType.
std::vector<std::string_view> classification_branch(std::string_view stop_type, std::string_view bus_stop_type) {
  static const std::map<std::string_view, std::vector<std::string_view>> branches = {
      {"BCS", {"OffStreet", "BusAndCoach", "Bay"}},   {"BCQ", {"OffStreet", "BusAndCoach", "VariableBay"}},
      {"BCE", {"OffStreet", "BusAndCoach", "Entrance"}}, {"BST", {"OffStreet", "BusAndCoach", "AccessArea"}},
      {"TXR", {"OnStreet", "Taxi", "TaxiRank"}},       {"STR", {"OnStreet", "Taxi", "SharedTaxiRank"}},
      {"SDA", {"OnStreet", "Car", "SetDownPickUpArea"}}, {"AIR", {"OffStreet", "Air", "Entrance"}},
      {"GAT", {"OffStreet", "Air", "AccessArea"}},     {"FTD", {"OffStreet", "Ferry", "Entrance"}},
      {"FER", {"OffStreet", "Ferry", "AccessArea"}},   {"FBT", {"OffStreet", "Ferry", "Berth"}},
      {"RSE", {"OffStreet", "Rail", "Entrance"}},      {"RLY", {"OffStreet", "Rail", "AccessArea"}},
      {"RPL", {"OffStreet", "Rail", "Platform"}},      {"TMU", {"OffStreet", "Metro", "Entrance"}},
      {"MET", {"OffStreet", "Metro", "AccessArea"}},   {"PLT", {"OffStreet", "Metro", "Platform"}},
      {"LSE", {"OffStreet", "Telecabine", "Entrance"}}, {"LCB", {"OffStreet", "Telecabine", "AccessArea"}},
      {"LPL", {"OffStreet", "Telecabine", "Platform"}},
  };
  if (stop_type == "BCT") {
    std::vector<std::string_view> bus = {"OnStreet", "Bus"};
    if (bus_stop_type == "MKD") bus.push_back("MarkedPoint");
    if (bus_stop_type == "CUS") bus.push_back("UnmarkedPoint");
    if (bus_stop_type == "HAR") bus.push_back("HailAndRideSection");
    if (bus_stop_type == "FLX") bus.push_back("FlexibleZone");
    return bus;
  }
  auto it = branches.find(stop_type);
  return it == branches.end() ? std::vector<std::string_view>{} : it->second;
}

struct Node {
  std::string name;
  std::size_t column = kNone;  // a leaf: the column whose value it holds
  std::vector<std::pair<std::string, std::size_t>> attributes;
  std::vector<Node> children;
  bool required = false;  // written even without a value below it

  Node& child(const std::string& n) {
    for (auto& c : children)
      if (c.name == n && c.column == kNone) return c;
    children.push_back(Node{n, kNone, {}, {}, false});
    return children.back();
  }
  Node* find(std::string_view n) {
    for (auto& c : children)
      if (c.name == n) return &c;
    return nullptr;
  }
};

void sort_in_schema_order(Node& n) {
  const auto& order = child_order();
  if (auto it = order.find(n.name); it != order.end()) {
    auto rank = [&](const Node& c) {
      auto pos = std::find(it->second.begin(), it->second.end(), c.name);
      return static_cast<std::size_t>(pos - it->second.begin());
    };
    std::stable_sort(n.children.begin(), n.children.end(),
                     [&](const Node& a, const Node& b) { return rank(a) < rank(b); });
  }
  static const std::vector<std::string_view> attribute_order = {"CreationDateTime", "ModificationDateTime",
                                                                "Modification", "RevisionNumber", "Status"};
  auto attr_rank = [&](const std::pair<std::string, std::size_t>& a) {
    return static_cast<std::size_t>(std::find(attribute_order.begin(), attribute_order.end(), a.first) -
                                    attribute_order.begin());
  };
  std::stable_sort(n.attributes.begin(), n.attributes.end(),
                   [&](const auto& a, const auto& b) { return attr_rank(a) < attr_rank(b); });
  for (auto& c : n.children) sort_in_schema_order(c);
}

Node renamed_copy(const Node& n, std::string name) {
  Node copy = n;
  copy.name = std::move(name);
  copy.required = true;
  return copy;
}

class Template {
 public:
  // The layout: the StopClassification branch, and whether positions are in Translation form.
  Template(const Contract& contract, const std::vector<std::string_view>& branch, bool translation)
      : root_{"StopPoint", kNone, {}, {}, true} {
    for (std::size_t i = 0; i < contract.columns.size(); ++i) {
      const Column& col = contract.columns[i];
      if (!col.derived_from.empty()) continue;  // a lookup: filled again on staging
      std::optional<std::vector<std::string>> placed;
      for (const auto& path : col.xml_paths) {
        placed = resolve(xml_path_steps(path), branch, translation);
        if (placed) break;
      }
      if (!placed) {
        extension_.push_back(i);
        continue;
      }
      Node* at = &root_;
      for (std::size_t s = 0; s + 1 < placed->size(); ++s) at = &at->child((*placed)[s]);
      const std::string& last = placed->back();
      if (last[0] == '@')
        at->attributes.emplace_back(last.substr(1), i);
      else
        at->children.push_back(Node{last, i, {}, {}, false});
    }
    // The branch is written even where no value lies in it: <OffStreet><Rail><Entrance/>.
    Node* at = &root_.child("StopClassification");
    at->required = true;
    for (std::string_view step : branch) {
      at = &at->child(std::string(step));
      at->required = true;
    }
    // NaPTAN requires a hail-and-ride section's two ends and a flexible zone's outline, which
    // no column carries; the stop's own location stands for them, so that the file is valid.
    Node* location = nullptr;
    if (Node* place = root_.find("Place")) location = place->find("Location");
    if (location != nullptr && !branch.empty()) {
      if (branch.back() == "HailAndRideSection") {
        at->children.push_back(renamed_copy(*location, "StartPoint"));
        at->children.push_back(renamed_copy(*location, "EndPoint"));
      } else if (branch.back() == "FlexibleZone") {
        for (int k = 0; k < 3; ++k) at->children.push_back(renamed_copy(*location, "Location"));
      }
    }
    sort_in_schema_order(root_);
  }

  const Node& root() const { return root_; }
  const std::vector<std::size_t>& extension() const { return extension_; }

 private:
  // `steps` with its `*` taken as the layout's branch, or nothing if the layout has no place
  // for it: another branch of StopClassification, or the other form of Location.
  static std::optional<std::vector<std::string>> resolve(std::vector<std::string> steps,
                                                          const std::vector<std::string_view>& branch,
                                                          bool translation) {
    const auto& order = child_order();
    std::string_view parent = "StopPoint";
    std::size_t depth = kNone;  // steps below StopClassification
    for (auto& step : steps) {
      if (step[0] == '@') break;  // an attribute of the element reached
      if (depth != kNone) {
        if (step == "*") {
          if (depth >= branch.size()) return std::nullopt;
          step = std::string(branch[depth]);
        } else if (is_classification_choice(step) && (depth >= branch.size() || branch[depth] != step)) {
          return std::nullopt;
        }
        ++depth;
      } else if (step == "*") {
        return std::nullopt;
      }
      if (step == "StopClassification") depth = 0;
      if (parent == "Location" || parent == "StartPoint" || parent == "EndPoint") {
        if (step == "Translation" && !translation) return std::nullopt;
        if (is_position_element(step) && translation) return std::nullopt;
      }
      if (auto it = order.find(parent); it != order.end()) {
        if (std::find(it->second.begin(), it->second.end(), step) == it->second.end()) return std::nullopt;
      }
      parent = step;
    }
    return steps;
  }

  Node root_;
  std::vector<std::size_t> extension_;
};


class NaptanXmlRenderer : public ArtefactRenderer {
 public:
  NaptanXmlRenderer(const Contract& contract, const ReleaseHeader& header);
  void begin(std::string& out) override;
  void record(std::string_view body, std::string& out) override;
  void end(std::string& out) override;

 private:
  const Template& template_for(const std::vector<std::string_view>& fields);
  // Writes `n` if a value lies below it (or the layout requires it); true if it did. The
  // record's element is left open for its Extensions.
  bool write(const Node& n, std::string& out, bool leave_open);

  const Contract& contract_;
  ReleaseHeader header_;
  std::size_t stop_type_ = kNone, bus_stop_type_ = kNone;
  std::vector<std::size_t> translated_;  // the positions Location's Translation form needs
  std::map<std::string, std::unique_ptr<Template>, std::less<>> templates_;
  std::string key_;
  std::vector<std::string_view> fields_;
};

NaptanXmlRenderer::NaptanXmlRenderer(const Contract& contract, const ReleaseHeader& header)
    : contract_(contract), header_(header) {
  for (std::size_t i = 0; i < contract.columns.size(); ++i) {
    for (const auto& path : contract.columns[i].xml_paths) {
      if (path == "StopClassification/StopType") stop_type_ = i;
      if (path == "StopClassification/OnStreet/Bus/BusStopType") bus_stop_type_ = i;
      if (path.find("Location/Translation/") != std::string::npos &&
          is_position_element(path.substr(path.rfind('/') + 1)) && path.substr(path.rfind('/') + 1) != "GridType")
        translated_.push_back(i);
    }
  }
}

void NaptanXmlRenderer::begin(std::string& out) {
  out += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<NaPTAN xmlns=\"";
  out += kNaptanNamespace;
  out += "\" xmlns:gz=\"";
  out += kXmlExtensionNamespace;
  // The file's creation and modification are the release's publication: it never changes.
  out += "\" CreationDateTime=\"";
  append_xml_escaped(out, header_.published_at);
  out += "\" ModificationDateTime=\"";
  append_xml_escaped(out, header_.published_at);
  out += "\" Modification=\"new\" RevisionNumber=\"0\" FileName=\"";
  append_xml_escaped(out, header_.dataset + ".xml");
  out += "\" SchemaVersion=\"";
  out += kNaptanSchemaVersion;
  out += "\" LocationSystem=\"";
  out += translated_.empty() ? "Grid" : "WGS84";
  out += "\">\n<StopPoints>\n";
}

const Template& NaptanXmlRenderer::template_for(const std::vector<std::string_view>& fields) {
  auto value = [&](std::size_t i) { return i < fields.size() ? fields[i] : std::string_view(); };
  bool translation = !translated_.empty();
  for (std::size_t i : translated_) translation = translation && !value(i).empty();
  const std::string_view stop_type = value(stop_type_);
  const std::string_view bus_stop_type = stop_type == "BCT" ? value(bus_stop_type_) : std::string_view();
  key_.assign(stop_type);
  key_ += '|';
  key_ += bus_stop_type;
  key_ += translation ? "|t" : "|d";
  auto it = templates_.find(key_);
  if (it == templates_.end())
    it = templates_
             .emplace(key_, std::make_unique<Template>(contract_, classification_branch(stop_type, bus_stop_type),
                                                       translation))
             .first;
  return *it->second;
}

void NaptanXmlRenderer::record(std::string_view body, std::string& out) {
  decode_record(body, fields_);
  const Template& t = template_for(fields_);
  write(t.root(), out, true);
  // write() left StopPoint open: its Extensions, then its end.
  bool any = false;
  for (std::size_t i : t.extension()) {
    if (i >= fields_.size() || fields_[i].empty()) continue;
    if (!any) out += "<Extensions>\n<gz:Columns>\n";
    any = true;
    const std::string& name = contract_.columns[i].name;
    out += "<gz:";
    out += name;
    out.push_back('>');
    append_xml_escaped(out, fields_[i]);
    out += "</gz:";
    out += name;
    out += ">\n";
  }
  if (any) out += "</gz:Columns>\n</Extensions>\n";
  out += "</StopPoint>\n";
}

bool NaptanXmlRenderer::write(const Node& n, std::string& out, bool leave_open) {
  const std::size_t mark = out.size();
  out.push_back('<');
  out += n.name;
  bool content = false;
  for (const auto& [name, column] : n.attributes) {
    if (column >= fields_.size() || fields_[column].empty()) continue;
    out.push_back(' ');
    out += name;
    out += "=\"";
    append_xml_escaped(out, fields_[column]);
    out.push_back('"');
    content = true;
  }
  if (n.column != kNone) {
    if (n.column >= fields_.size() || fields_[n.column].empty()) {
      out.resize(mark);
      return false;
    }
    out.push_back('>');
    append_xml_escaped(out, fields_[n.column]);
    out += "</";
    out += n.name;
    out += ">\n";
    return true;
  }
  out += ">\n";
  const std::size_t opened = out.size();
  for (const auto& c : n.children) content = write(c, out, false) || content;
  if (leave_open) return true;
  if (!content && !n.required) {
    out.resize(mark);
    return false;
  }
  if (out.size() == opened) {  // nothing inside: <Entrance/>
    out.resize(opened - 2);
    out += "/>\n";
    return true;
  }
  out += "</";
  out += n.name;
  out += ">\n";
  return true;
}

void NaptanXmlRenderer::end(std::string& out) { out += "</StopPoints>\n</NaPTAN>\n"; }

}  // namespace

bool has_naptan_layout(const Contract& contract) {
  return contract.xml_namespace == kNaptanNamespace && contract.xml_record_element == "StopPoint";
}

std::unique_ptr<ArtefactRenderer> make_naptan_xml_renderer(const Contract& contract, const ReleaseHeader& header) {
  return std::make_unique<NaptanXmlRenderer>(contract, header);
}

}  // namespace gazette
