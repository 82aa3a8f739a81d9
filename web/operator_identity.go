package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"

	"passnum"
	"passnum/store"
)

// The site's identity, set by the operator for the whole installation:
// the programme's name in the header of every page, and the funders'
// logos shown there, on the booklet's letter and on its cheques. The
// logos are served to everyone from /logos/{id}.

func identityPages() []*page {
	op := func(method, path string, h func(*request) error) *page {
		return &page{Method: method, Path: path, Access: staffOnly, Roles: operatorRole, Handle: h}
	}
	return []*page{
		op("GET", "/operateur/identite", operatorIdentity),
		op("POST", "/operateur/identite/nom", operatorRenameSite),
		op("POST", "/operateur/identite/logos", operatorAddLogo),
		op("POST", "/operateur/identite/logos/{id}/retirer", operatorRemoveLogo),
		{Method: "GET", Path: "/logos/{id}", Access: public, Handle: serveLogo},
	}
}

// opIdentityView is the identity page: the name's form, the logos, and
// the form that adds one.
type opIdentityView struct {
	Site               passnum.SiteIdentity
	NameForm, LogoForm *form
	MaxLogos           int
	MaxKB              int
}

func operatorIdentity(q *request) error {
	return opRenderIdentity(q, http.StatusOK, nil, nil)
}

func opRenderIdentity(q *request, status int, nameForm, logoForm *form) error {
	v := opIdentityView{Site: q.siteIdentity(), NameForm: nameForm, LogoForm: logoForm, MaxLogos: passnum.MaxLogos, MaxKB: passnum.MaxLogoBytes / 1024}
	if v.NameForm == nil {
		v.NameForm = &form{Values: url.Values{"name": {v.Site.Name}}, Errors: map[string]string{}}
	}
	if v.LogoForm == nil {
		v.LogoForm = &form{Values: url.Values{}, Errors: map[string]string{}}
	}
	return q.render(status, "operator/identity", "Identité du site", v, nil)
}

func operatorRenameSite(q *request) error {
	f := newForm(q.r)
	var name string
	err := q.write(func(tx *store.Tx) error {
		var err error
		name, err = tx.SetSiteName(q.ctx(), q.actor(), f.Get("name"))
		return err
	})
	if err != nil {
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		return opRenderIdentity(q, status, f, nil)
	}
	return q.redirect("/operateur/identite", "Le site s'appelle désormais « "+name+" » : chaque page le montre en en-tête.")
}

// opUploadedLogo reads the uploaded file, no more than the limit allows.
func opUploadedLogo(q *request) ([]byte, error) {
	if q.r.MultipartForm == nil || len(q.r.MultipartForm.File["logo"]) == 0 {
		return nil, nil
	}
	file, err := q.r.MultipartForm.File["logo"][0].Open()
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return io.ReadAll(io.LimitReader(file, passnum.MaxLogoBytes+1))
}

func operatorAddLogo(q *request) error {
	f := newForm(q.r)
	data, err := opUploadedLogo(q)
	if err != nil {
		return err
	}
	var l passnum.Logo
	err = q.write(func(tx *store.Tx) error {
		var err error
		l, err = tx.AddLogo(q.ctx(), q.actor(), f.Get("logo_name"), data)
		return err
	})
	if err != nil {
		status, ok := opFormStatus(f, err)
		if !ok {
			return err
		}
		return opRenderIdentity(q, status, nil, f)
	}
	return q.redirect("/operateur/identite", "Logo « "+l.Name+" » ajouté : il paraît en en-tête du site et sur les carnets imprimés à partir de maintenant.")
}

func operatorRemoveLogo(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	if err := q.write(func(tx *store.Tx) error { return tx.RemoveLogo(q.ctx(), q.actor(), id) }); err != nil {
		return err
	}
	return q.redirect("/operateur/identite", "Logo retiré du site et des carnets imprimés à partir de maintenant.")
}

// serveLogo sends a logo with the one content type it was checked as,
// under a policy that lets it run and fetch nothing, should it be opened
// on its own. A logo never changes (a new file is a new logo): browsers
// keep it.
func serveLogo(q *request) error {
	id, err := q.id("id")
	if err != nil {
		return err
	}
	var l passnum.Logo
	var data []byte
	if err := q.view(func(tx *store.Tx) error {
		var err error
		l, data, err = tx.LogoFile(q.ctx(), id)
		return err
	}); err != nil {
		return err
	}
	if l.ContentType != passnum.LogoPNG && l.ContentType != passnum.LogoSVG {
		return errors.New("logo " + l.ID + ": unexpected content type " + l.ContentType)
	}
	h := q.w.Header()
	h.Set("Content-Type", l.ContentType)
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Content-Disposition", "inline")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	_, err = q.w.Write(data)
	return err
}
