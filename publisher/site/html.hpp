// Plain HTML pages for people: the catalogue at / and a page per dataset. Internal to http.
#pragma once

#include <string>

namespace gazette::site {

struct Catalog;
struct ServedDataset;

std::string render_index_html(const Catalog& catalog);
std::string render_dataset_html(const ServedDataset& dataset);
std::string html_escape(const std::string& s);

}  // namespace gazette::site
