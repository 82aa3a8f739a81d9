package web

import "net/http"

// publicPages: the home page and the pages every footer links to.
func publicPages() []*page {
	return []*page{
		{Method: "GET", Path: "/{$}", Access: public, Handle: staticPage("public/home", "Accueil")},
		{Method: "GET", Path: "/accessibilite", Access: public, Handle: staticPage("public/accessibility", "Déclaration d'accessibilité")},
		{Method: "GET", Path: "/mentions-legales", Access: public, Handle: staticPage("public/legal", "Mentions légales")},
		{Method: "GET", Path: "/confidentialite", Access: public, Handle: privacyPage},
		{Method: "GET", Path: "/confidentialite/registre", Access: public, Handle: registerPage},
	}
}

func staticPage(name, title string) func(q *request) error {
	return func(q *request) error { return q.render(http.StatusOK, name, title, nil, nil) }
}
