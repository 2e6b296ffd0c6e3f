#include "ledgerentry.h"

using namespace Qt::StringLiterals;

namespace LedgerKinds {

QString name(LedgerEntry::Kind kind)
{
    switch (kind) {
    case LedgerEntry::Kind::Generation:
        return u"generation"_s;
    case LedgerEntry::Kind::Runtime:
        return u"runtime"_s;
    case LedgerEntry::Kind::Extension:
        return u"extension"_s;
    }
    return {};
}

std::optional<LedgerEntry::Kind> fromName(const QString &name)
{
    for (const auto kind :
         {LedgerEntry::Kind::Generation, LedgerEntry::Kind::Runtime, LedgerEntry::Kind::Extension}) {
        if (LedgerKinds::name(kind) == name)
            return kind;
    }
    return std::nullopt;
}

} // namespace LedgerKinds
