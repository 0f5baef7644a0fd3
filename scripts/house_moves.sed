# house-moves.sed: rewrite the import paths and template paths moved by issue #22 ("one house").
# Run over the merged tree (every .py, .html, .txt, .md, .toml, .cfg, .ini and .ci/run):
#   git ls-files -z '*.py' '*.html' '*.txt' '*.md' '*.toml' '*.ini' '.ci/run' | xargs -0 sed -i -f scripts/house_moves.sed
# then `ruff check --fix --select I . && ruff format .` to re-sort the rewritten imports.
# Idempotent: running it twice changes nothing more.

# --- 1. The access core: samen.sharing.{actor,policy,access,audit,...} -> samen.core.* ---------
# A line importing several modules of samen.sharing at once is split in two: the core's modules
# go to `from samen.core import ...`, the sharing app's own (services, selectors, retention,
# subject_access) stay in `from samen.sharing import ...`.
/^[[:space:]]*from samen\.sharing import [a-z_]\+\(, [a-z_]\+\)*$/{
  s/$/, /
  h
  :core
  s/ \(services\|selectors\|retention\|subject_access\|views\|api\|urls\|api_urls\|forms\), / /
  tcore
  s/from samen\.sharing import /from samen.core import /
  s/, $//
  s/^[[:space:]]*from samen\.core import $//
  x
  :domain
  s/ \(actor\|policy\|access\|audit\|anchor\|audit_verify\|register\|middleware\|dbroles\|models\|keys\|checks\), / /
  tdomain
  s/, $//
  s/^[[:space:]]*from samen\.sharing import $//
  H
  x
  s/^\n//
  s/\n$//
}
s/\bsamen\.sharing\.\(actor\|policy\|access\|audit\|anchor\|audit_verify\|register\|middleware\|dbroles\|models\)\b/samen.core.\1/g
s/\bsamen\.sharing\.tests\.\(approle\|test_access\|test_app_role\|test_audit_anchor\|test_audit_chain\|test_audit_verify_parallel\|test_matrix\|test_reach_by_relation\|test_ind_residence_migration\)\b/samen.core.tests.\1/g
s/^\([[:space:]]*\)from samen\.sharing\.tests import \(approle\|test_audit_chain\)$/\1from samen.core.tests import \2/
s/\bsamen\.sharing\.management\.commands\.audit\b/samen.core.management.commands.audit/g
s/\bsamen\/sharing\/\(actor\|policy\|access\|audit\|anchor\|audit_verify\|register\|middleware\|dbroles\|models\)\.py\b/samen\/core\/\1.py/g
s/\bsharing\/tests\/\(approle\|test_access\|test_app_role\|test_audit_anchor\|test_audit_chain\|test_audit_verify_parallel\|test_matrix\|test_reach_by_relation\|test_ind_residence_migration\)\.py\b/core\/tests\/\1.py/g
s/\bsamen\.sharing\.migrations\b/samen.core.migrations/g
s/\bsharing\/data\/register\.json\b/core\/data\/register.json/g

# --- 2. Keys from the environment are infrastructure of the core --------------------------------
s/\bsamen\.cases\.keys\b/samen.core.keys/g
s/^\([[:space:]]*\)from samen\.cases import keys$/\1from samen.core import keys/

# --- 3. Shared helpers out of web/ (nothing imports web but the URLs) ------------------------------
s/\bsamen\.web\.pdf\b/samen.pdf/g

# --- 4. One layout per app: the privacy officer's pages and the templates into their apps -------
s/\bsamen\.web\.privacy_views\b/samen.sharing.views/g
s/^\([[:space:]]*\)from samen\.web import privacy_views$/\1from samen.sharing import views as privacy_views/
s/\bsamen\/\(case_detail\|case_list\)\.html\b/cases\/\1.html/g
s/\bsamen\/\(signal_choose\|signal_detail\|signal_form\|signal_list\)\.html\b/signalling\/\1.html/g
s/\bsamen\/\(emergency\|shares\|share_table\)\.html\b/sharing\/\1.html/g
s/\bsamen\/privacy\//sharing\/privacy\//g
s/\bsamen\.web\.widgets\b/samen.widgets/g
s/\bsamen\.web\.downloads\b/samen.downloads/g
