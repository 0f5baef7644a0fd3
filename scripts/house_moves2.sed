# house_moves2.sed: rewrite the import paths and template names moved by issue #22, item 2
# ("one layout": the pages and endpoints of cases, signals and shares into their apps).
# Run over the merged tree, then let ruff re-sort and re-join the rewritten imports:
#   git ls-files -z '*.py' '*.html' '*.txt' '*.md' | xargs -0 sed -i -f scripts/house_moves2.sed
#   .venv/bin/ruff check --fix --select I,F401 . && .venv/bin/ruff format .
# Idempotent: running it twice changes nothing more. Generated; the name lists are the
# functions and classes each old module held (web/views.py, web/forms.py, api/views.py,
# api/serializers.py); names not listed (dashboard, queue, set_language_view, healthz,
# readyz, api_not_found, MeView, OrganisationListView, OrganisationDetailView,
# OrganisationSerializer, MeSerializer, MembershipSerializer) stay where they were.
# What it cannot see: `from samen.web import views` / `from samen.api import serializers as s`
# followed by `views.case_list` or `s.CaseSerializer`; ruff (F821) or `samen check` does not
# catch an attribute of a module either, so grep for them (housemove-merge.md, step 2).

# --- samen.web.forms ---------------------------------------------------------------------------
/^[[:space:]]*from samen\.web\.forms import ($/{
  :join0
  /)/!{N;bjoin0}
  s/(\n[[:space:]]*/(/
  s/,\n[[:space:]]*)/)/
  s/\n[[:space:]]*)/)/
  s/,\n[[:space:]]*/, /g
  s/(\(.*\))/\1/
}
s/^\([[:space:]]*from samen\.web\.forms import \)(\([^)]*\))$/\1\2/
/^[[:space:]]*from samen\.web\.forms import [A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?, /{
  :split0
  s/^\([[:space:]]*\)from samen\.web\.forms import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\1from samen.web.forms import \2\n\1from samen.web.forms import \4/
  s/\n\([[:space:]]*\)from samen\.web\.forms import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\n\1from samen.web.forms import \2\n\1from samen.web.forms import \4/
  tsplit0
}
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.forms import \(SignalForm\)\b/\1\2from samen.signalling.forms import \3/g
s/\bsamen\.web\.forms\.\(SignalForm\)\b/samen.signalling.forms.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.forms import \(CaseFilterForm\|NoteForm\|MergeForm\)\b/\1\2from samen.cases.forms import \3/g
s/\bsamen\.web\.forms\.\(CaseFilterForm\|NoteForm\|MergeForm\)\b/samen.cases.forms.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.forms import \(ShareForm\|ShareFilterForm\|grouped_organisations\|EmergencyForm\|ReviewForm\|ProcessingRuleForm\|AuditFilterForm\)\b/\1\2from samen.sharing.forms import \3/g
s/\bsamen\.web\.forms\.\(ShareForm\|ShareFilterForm\|grouped_organisations\|EmergencyForm\|ReviewForm\|ProcessingRuleForm\|AuditFilterForm\)\b/samen.sharing.forms.\1/g

# --- samen.web.views ---------------------------------------------------------------------------
/^[[:space:]]*from samen\.web\.views import ($/{
  :join1
  /)/!{N;bjoin1}
  s/(\n[[:space:]]*/(/
  s/,\n[[:space:]]*)/)/
  s/\n[[:space:]]*)/)/
  s/,\n[[:space:]]*/, /g
  s/(\(.*\))/\1/
}
s/^\([[:space:]]*from samen\.web\.views import \)(\([^)]*\))$/\1\2/
/^[[:space:]]*from samen\.web\.views import [A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?, /{
  :split1
  s/^\([[:space:]]*\)from samen\.web\.views import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\1from samen.web.views import \2\n\1from samen.web.views import \4/
  s/\n\([[:space:]]*\)from samen\.web\.views import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\n\1from samen.web.views import \2\n\1from samen.web.views import \4/
  tsplit1
}
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.views import \(signal_choose_list\|signal_new\|signal_detail\|signal_receipt\|_signal_page\|signal_list\)\b/\1\2from samen.signalling.views import \3/g
s/\bsamen\.web\.views\.\(signal_choose_list\|signal_new\|signal_detail\|signal_receipt\|_signal_page\|signal_list\)\b/samen.signalling.views.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.views import \(case_list\|_case_page\|case_detail\|_case_or_404\|case_note_add\|case_share\|_merge_page\|case_merge\|case_split\|case_close\|case_reopen\|case_owner\)\b/\1\2from samen.cases.views import \3/g
s/\bsamen\.web\.views\.\(case_list\|_case_page\|case_detail\|_case_or_404\|case_note_add\|case_share\|_merge_page\|case_merge\|case_split\|case_close\|case_reopen\|case_owner\)\b/samen.cases.views.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.views import \(share_revoke\|shares_overview\|emergency_access\)\b/\1\2from samen.sharing.views import \3/g
s/\bsamen\.web\.views\.\(share_revoke\|shares_overview\|emergency_access\)\b/samen.sharing.views.\1/g

# --- samen.api.views ---------------------------------------------------------------------------
/^[[:space:]]*from samen\.api\.views import ($/{
  :join2
  /)/!{N;bjoin2}
  s/(\n[[:space:]]*/(/
  s/,\n[[:space:]]*)/)/
  s/\n[[:space:]]*)/)/
  s/,\n[[:space:]]*/, /g
  s/(\(.*\))/\1/
}
s/^\([[:space:]]*from samen\.api\.views import \)(\([^)]*\))$/\1\2/
/^[[:space:]]*from samen\.api\.views import [A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?, /{
  :split2
  s/^\([[:space:]]*\)from samen\.api\.views import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\1from samen.api.views import \2\n\1from samen.api.views import \4/
  s/\n\([[:space:]]*\)from samen\.api\.views import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\n\1from samen.api.views import \2\n\1from samen.api.views import \4/
  tsplit2
}
s/\(^\|\n\)\([[:space:]]*\)from samen\.api\.views import \(SignalListListView\|SignalListDetailView\|SignalListCreateView\|SignalDetailView\)\b/\1\2from samen.signalling.api import \3/g
s/\bsamen\.api\.views\.\(SignalListListView\|SignalListDetailView\|SignalListCreateView\|SignalDetailView\)\b/samen.signalling.api.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.api\.views import \(CaseFilterSerializer\|CasePageSerializer\|CaseListView\|CaseDetailView\|NoteCreateSerializer\|CaseNoteView\|CaseShareView\)\b/\1\2from samen.cases.api import \3/g
s/\bsamen\.api\.views\.\(CaseFilterSerializer\|CasePageSerializer\|CaseListView\|CaseDetailView\|NoteCreateSerializer\|CaseNoteView\|CaseShareView\)\b/samen.cases.api.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.api\.views import \(ShareListView\|ShareRevokeView\|EmergencyView\|RegisterView\)\b/\1\2from samen.sharing.api import \3/g
s/\bsamen\.api\.views\.\(ShareListView\|ShareRevokeView\|EmergencyView\|RegisterView\)\b/samen.sharing.api.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.api\.views import \(ShareCreateSerializer\|ShareSerializer\|EmergencyRequestSerializer\|RegisterRuleSerializer\)\b/\1\2from samen.sharing.serializers import \3/g
s/\bsamen\.api\.views\.\(ShareCreateSerializer\|ShareSerializer\|EmergencyRequestSerializer\|RegisterRuleSerializer\)\b/samen.sharing.serializers.\1/g

# --- samen.api.serializers ---------------------------------------------------------------------
/^[[:space:]]*from samen\.api\.serializers import ($/{
  :join3
  /)/!{N;bjoin3}
  s/(\n[[:space:]]*/(/
  s/,\n[[:space:]]*)/)/
  s/\n[[:space:]]*)/)/
  s/,\n[[:space:]]*/, /g
  s/(\(.*\))/\1/
}
s/^\([[:space:]]*from samen\.api\.serializers import \)(\([^)]*\))$/\1\2/
/^[[:space:]]*from samen\.api\.serializers import [A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?, /{
  :split3
  s/^\([[:space:]]*\)from samen\.api\.serializers import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\1from samen.api.serializers import \2\n\1from samen.api.serializers import \4/
  s/\n\([[:space:]]*\)from samen\.api\.serializers import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\n\1from samen.api.serializers import \2\n\1from samen.api.serializers import \4/
  tsplit3
}
s/\(^\|\n\)\([[:space:]]*\)from samen\.api\.serializers import \(IndicatorSerializer\|SignalListSerializer\|PersonInSerializer\|SignalCreateSerializer\|AdviceSerializer\|IdentitySerializer\|SignalSerializer\|SignalCreatedSerializer\)\b/\1\2from samen.signalling.serializers import \3/g
s/\bsamen\.api\.serializers\.\(IndicatorSerializer\|SignalListSerializer\|PersonInSerializer\|SignalCreateSerializer\|AdviceSerializer\|IdentitySerializer\|SignalSerializer\|SignalCreatedSerializer\)\b/samen.signalling.serializers.\1/g
s/\(^\|\n\)\([[:space:]]*\)from samen\.api\.serializers import \(TimelineEventSerializer\|CASE_RELATIONS\|NoteSerializer\|CaseSerializer\|CaseDetailSerializer\)\b/\1\2from samen.cases.serializers import \3/g
s/\bsamen\.api\.serializers\.\(TimelineEventSerializer\|CASE_RELATIONS\|NoteSerializer\|CaseSerializer\|CaseDetailSerializer\)\b/samen.cases.serializers.\1/g

# --- samen.cases.lifecycle_views ---------------------------------------------------------------
/^[[:space:]]*from samen\.cases\.lifecycle_views import ($/{
  :join4
  /)/!{N;bjoin4}
  s/(\n[[:space:]]*/(/
  s/,\n[[:space:]]*)/)/
  s/\n[[:space:]]*)/)/
  s/,\n[[:space:]]*/, /g
  s/(\(.*\))/\1/
}
s/^\([[:space:]]*from samen\.cases\.lifecycle_views import \)(\([^)]*\))$/\1\2/
/^[[:space:]]*from samen\.cases\.lifecycle_views import [A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?, /{
  :split4
  s/^\([[:space:]]*\)from samen\.cases\.lifecycle_views import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\1from samen.cases.lifecycle_views import \2\n\1from samen.cases.lifecycle_views import \4/
  s/\n\([[:space:]]*\)from samen\.cases\.lifecycle_views import \([A-Za-z_][A-Za-z0-9_]*\( as [A-Za-z_][A-Za-z0-9_]*\)\?\), \(.*\)$/\n\1from samen.cases.lifecycle_views import \2\n\1from samen.cases.lifecycle_views import \4/
  tsplit4
}
s/\(^\|\n\)\([[:space:]]*\)from samen\.cases\.lifecycle_views import \(_refused\|case_close\|case_reopen\|case_owner\)\b/\1\2from samen.cases.views import \3/g
s/\bsamen\.cases\.lifecycle_views\.\(_refused\|case_close\|case_reopen\|case_owner\)\b/samen.cases.views.\1/g

# --- web/views.py's two helpers are shared page helpers now (samen/pages.py) -------------
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.views import _page_no$/\1\2from samen.pages import page_number as _page_no/
s/\(^\|\n\)\([[:space:]]*\)from samen\.web\.views import _back_to$/\1\2from samen.pages import back_to as _back_to/

# --- templates and tests that moved whole -----------------------------------------------
s/\bsamen\/case_merge\.html\b/cases\/case_merge.html/g
s/\bweb\/templates\/samen\/case_merge\.html\b/cases\/templates\/cases\/case_merge.html/g
s/\bsamen\.web\.tests\.test_duplicates\b/samen.cases.tests.test_duplicates/g
s/\bsamen\.web\.tests\.test_\(privacy_pages\|subject_access\)\b/samen.sharing.tests.test_\1/g
s/\bweb\/tests\/test_duplicates\.py\b/cases\/tests\/test_duplicates.py/g
s/\bweb\/tests\/test_\(privacy_pages\|subject_access\)\.py\b/sharing\/tests\/test_\1.py/g
