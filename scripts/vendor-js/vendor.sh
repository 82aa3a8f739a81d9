#!/usr/bin/env bash
# Vendorise les bibliothèques front-end (fichiers compilés) depuis le registre npm
# dans web/static/vendor/, pour qu'elles soient embarquées dans le binaire Go.
# Aucun CDN : tout est servi localement.
#
# Usage (depuis n'importe quel répertoire) : bash scripts/vendor-js/vendor.sh
# Pour mettre à jour une bibliothèque : changer la version épinglée ci-dessous, relancer.
set -euo pipefail

# Versions épinglées (exactes).
HTMX_VERSION="2.0.11"
LEAFLET_VERSION="1.9.4"
AXE_VERSION="4.14.1"
JSQR_VERSION="1.4.0"

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$SCRIPT_DIR/../.." && pwd)"
DEST="$ROOT/web/static/vendor"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

echo "npm install dans $TMP"
cd "$TMP"
echo '{"name":"vendor-js-tmp","version":"0.0.0","private":true}' > package.json
# --ignore-scripts : on ne prend que des fichiers déjà compilés, aucun script n'a à s'exécuter.
npm install --no-audit --no-fund --ignore-scripts --save-exact \
  "htmx.org@$HTMX_VERSION" \
  "leaflet@$LEAFLET_VERSION" \
  "axe-core@$AXE_VERSION" \
  "jsqr@$JSQR_VERSION"

NM="$TMP/node_modules"

# Champ de package.json d'un paquet installé.
pkg_field() { node -e 'const p=require(process.argv[1]); console.log(p[process.argv[2]] ?? "")' "$NM/$1/package.json" "$2"; }

# Vérifie que la version installée est bien celle épinglée.
check_version() {
  local got; got="$(pkg_field "$1" version)"
  if [[ "$got" != "$2" ]]; then echo "erreur : $1 installé en $got, attendu $2" >&2; exit 1; fi
}
check_version htmx.org "$HTMX_VERSION"
check_version leaflet "$LEAFLET_VERSION"
check_version axe-core "$AXE_VERSION"
check_version jsqr "$JSQR_VERSION"

# Copie le fichier de licence d'un paquet (LICENSE, LICENSE.md, LICENSE.txt, LICENCE…).
copy_license() {
  local pkg="$1" f
  for f in LICENSE LICENSE.md LICENSE.txt LICENCE LICENCE.md LICENCE.txt license license.md license.txt; do
    if [[ -f "$NM/$pkg/$f" ]]; then
      cp "$NM/$pkg/$f" "$DEST/LICENSES/$pkg-LICENSE"
      return 0
    fi
  done
  echo "erreur : aucun fichier de licence trouvé pour $pkg" >&2
  exit 1
}

# Repart d'un état propre pour les fichiers gérés par ce script.
rm -rf "$DEST/htmx.min.js" "$DEST/leaflet" "$DEST/axe.min.js" "$DEST/jsQR.js" "$DEST/LICENSES" "$DEST/VERSIONS.md"
mkdir -p "$DEST/leaflet/images" "$DEST/LICENSES"

cp "$NM/htmx.org/dist/htmx.min.js" "$DEST/htmx.min.js"
cp "$NM/leaflet/dist/leaflet.js" "$DEST/leaflet/leaflet.js"
cp "$NM/leaflet/dist/leaflet.css" "$DEST/leaflet/leaflet.css"
cp "$NM/leaflet/dist/images/"* "$DEST/leaflet/images/"
cp "$NM/axe-core/axe.min.js" "$DEST/axe.min.js"
cp "$NM/jsqr/dist/jsQR.js" "$DEST/jsQR.js"

for pkg in htmx.org leaflet axe-core jsqr; do copy_license "$pkg"; done

LEAFLET_IMAGES="$(cd "$DEST/leaflet/images" && ls | sed 's|^|`leaflet/images/|; s|$|`|' | paste -sd ',' - | sed 's/,/, /g')"

cat > "$DEST/VERSIONS.md" <<MD
# Bibliothèques front-end vendorisées

Fichiers générés par \`scripts/vendor-js/vendor.sh\` depuis le registre npm
(fichiers compilés, servis localement et embarqués dans le binaire Go ; aucun CDN).
Ne pas modifier à la main.

| Paquet npm | Version | Licence | Fichiers repris |
|---|---|---|---|
| htmx.org | $HTMX_VERSION | $(pkg_field htmx.org license) | \`htmx.min.js\` (depuis \`dist/htmx.min.js\`), \`LICENSES/htmx.org-LICENSE\` |
| leaflet | $LEAFLET_VERSION | $(pkg_field leaflet license) | \`leaflet/leaflet.js\`, \`leaflet/leaflet.css\` (depuis \`dist/\`), $LEAFLET_IMAGES, \`LICENSES/leaflet-LICENSE\` |
| axe-core | $AXE_VERSION | $(pkg_field axe-core license) | \`axe.min.js\`, \`LICENSES/axe-core-LICENSE\` |
| jsqr | $JSQR_VERSION | $(pkg_field jsqr license) | \`jsQR.js\` (depuis \`dist/jsQR.js\`), \`LICENSES/jsqr-LICENSE\` |

## Régénérer

Depuis la racine du dépôt (le script fonctionne depuis n'importe quel répertoire) :

\`\`\`sh
bash scripts/vendor-js/vendor.sh
\`\`\`

Pour changer de version, modifier les versions épinglées en tête du script puis le relancer.
MD

echo "Fichiers écrits dans $DEST"
