#include "publisher/model/notice.hpp"

namespace gazette {

const char* to_string(NoticeKind k) {
  switch (k) {
    case NoticeKind::deprecation: return "deprecation";
    case NoticeKind::meaning_change: return "meaning-change";
    case NoticeKind::removal: return "removal";
    case NoticeKind::restatement: return "restatement";
  }
  return "deprecation";
}

}  // namespace gazette
