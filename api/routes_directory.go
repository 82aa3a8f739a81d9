package api

import (
	"net/http"

	"passnum"
	"passnum/opendata"
)

// directoryRoutes: the directory of places as national open data, published
// for the national map to harvest (public, no key) and imported by the
// operator.
func directoryRoutes() []*route {
	return []*route{
		{Method: "GET", Path: "/opendata/" + opendata.FileName + ".csv",
			Summary: "Export open data des lieux au standard national des lieux de médiation numérique " + opendata.SchemaVersion + " (CSV UTF-8, séparateur virgule, colonnes dans l'ordre du schéma, valeurs multiples séparées par |), " +
				"l'adresse que moissonne la cartographie nationale (public, sans clé). Paramètre scope : labelled (par défaut, les sites des lieux labellisés, qui acceptent le pass) ou all (tout l'annuaire public : les lieux labellisés et les entrées importées ; jamais une candidature en attente ou refusée, ni un lieu suspendu ou dont le label est retiré)",
			Query:    []queryParam{{Name: "scope", Doc: "labelled (par défaut) : les sites des lieux labellisés ; all : tout l'annuaire public (lieux labellisés et entrées importées)", Enum: []string{"labelled", "all"}}},
			Produces: "text/csv", Status: http.StatusOK, Errors: []string{passnum.EINVALID}, Handle: exportOpenDataCSV},
		{Method: "GET", Path: "/opendata/" + opendata.FileName + ".json",
			Summary:  "Le même export open data en JSON : un tableau d'objets nommés comme les colonnes du standard (public, sans clé). Paramètre scope : labelled (par défaut) ou all",
			Query:    []queryParam{{Name: "scope", Doc: "labelled (par défaut) : les sites des lieux labellisés ; all : tout l'annuaire public (lieux labellisés et entrées importées)", Enum: []string{"labelled", "all"}}},
			Response: []opendata.JSONRow{}, Status: http.StatusOK, Errors: []string{passnum.EINVALID}, Handle: exportOpenDataJSON},
		{Method: "POST", Path: "/opendata/imports", Roles: operator,
			Summary: "Importer des lieux au standard national (corps : le fichier CSV UTF-8, Content-Type: text/csv, ou le JSON de l'export, Content-Type: application/json ; 50 Mio au plus). " +
				"Chaque ligne est vérifiée ; les lignes rejetées sont listées avec leur numéro et le motif, les autres sont créées ou mises à jour par leur id (puis leur pivot), toutes ensemble ou aucune. " +
				"Réimporter le même fichier ne change rien. Un fichier illisible (encodage, colonne obligatoire absente) est refusé en entier (422 invalid_file)",
			Consumes: []string{"text/csv", "application/json"},
			Response: passnum.ImportReport{}, Status: http.StatusOK, MaxBody: opendata.MaxFileBytes,
			Errors: []string{passnum.EINVALIDFILE, passnum.ECONFLICT}, Handle: importOpenData},
	}
}
