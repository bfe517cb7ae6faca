// Method: one complexType per dataset, a sequence of the contract's columns in publication
// order; nullable columns are optional (null values are absent elements); closed code lists
// become enumerations. Patterns are not copied: contract patterns are ECMAScript and XSD's
// regex dialect differs; values were already checked against them at import.
#include "publisher/render/render.hpp"

namespace gazette {

namespace {
const char* xsd_type(ColumnType t) {
  switch (t) {
    case ColumnType::integer: return "xs:integer";
    case ColumnType::decimal: return "xs:decimal";
    case ColumnType::datetime: return "xs:dateTime";
    default: return "xs:string";
  }
}
}  // namespace

std::string render_xsd(const Contract& c) {
  std::string x;
  x += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<!-- Generated from the " + c.dataset_id + " contract, version " +
       std::to_string(c.version) + ", by gazette. Do not edit. -->\n";
  x += "<xs:schema xmlns:xs=\"http://www.w3.org/2001/XMLSchema\"\n";
  x += "           targetNamespace=\"" + std::string(kReleaseXmlNamespace) + "\"\n";
  x += "           xmlns=\"" + std::string(kReleaseXmlNamespace) + "\"\n";
  x += "           elementFormDefault=\"qualified\">\n";
  x += "  <xs:element name=\"release\">\n    <xs:complexType>\n      <xs:sequence>\n";
  x += "        <xs:element name=\"record\" type=\"Record\" minOccurs=\"0\" maxOccurs=\"unbounded\"/>\n";
  x += "      </xs:sequence>\n";
  for (const char* a : {"dataset", "id", "published_at"})
    x += "      <xs:attribute name=\"" + std::string(a) + "\" type=\"xs:string\" use=\"required\"/>\n";
  x += "      <xs:attribute name=\"contract_version\" type=\"xs:positiveInteger\" use=\"required\"/>\n";
  x += "      <xs:attribute name=\"records\" type=\"xs:nonNegativeInteger\" use=\"required\"/>\n";
  x += "    </xs:complexType>\n  </xs:element>\n";
  x += "  <xs:complexType name=\"Record\">\n    <xs:sequence>\n";
  for (const auto& col : c.columns) {
    x += "      <xs:element name=\"" + col.name + "\"";
    if (col.nullable) x += " minOccurs=\"0\"";
    if (col.type == ColumnType::code && col.codes_closed) {
      x += ">\n        <xs:simpleType>\n          <xs:restriction base=\"xs:string\">\n";
      for (const auto& code : col.codes) {
        std::string esc;
        append_xml_escaped(esc, code);
        x += "            <xs:enumeration value=\"" + esc + "\"/>\n";
      }
      x += "          </xs:restriction>\n        </xs:simpleType>\n      </xs:element>\n";
    } else {
      x += " type=\"" + std::string(xsd_type(col.type)) + "\"/>\n";
    }
  }
  x += "    </xs:sequence>\n  </xs:complexType>\n</xs:schema>\n";
  return x;
}

}  // namespace gazette
