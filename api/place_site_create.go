package api

import (
	"passnum"
	"passnum/store"
)

type siteRequest struct {
	Name              *string  `json:"name" doc:"nom du site ; par défaut celui de l'organisation"`
	Address           *string  `json:"address" api:"required" doc:"numéro et voie, par exemple « 27 rue de la République »"`
	AddressComplement *string  `json:"address_complement" doc:"bâtiment, étage…"`
	CommuneINSEE      *string  `json:"commune_insee" api:"required" doc:"code INSEE de la commune (pas le code postal), par exemple 25056 pour Besançon"`
	Postcode          *string  `json:"postcode" api:"required" doc:"code postal qui dessert la commune, par exemple 25000"`
	Latitude          *float64 `json:"latitude" doc:"degrés décimaux WGS84, avec la longitude"`
	Longitude         *float64 `json:"longitude" doc:"degrés décimaux WGS84, avec la latitude"`
	OpeningHours      *string  `json:"opening_hours" doc:"horaires au format OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00 »"`
	Phone             *string  `json:"phone" doc:"téléphone du site"`
	Email             *string  `json:"email" doc:"adresse électronique du site"`
	Website           *string  `json:"website" doc:"site web, commençant par https://"`
	AccessibilityURL  *string  `json:"accessibility_url" doc:"fiche d'accessibilité du lieu (par exemple Acceslibre)"`
	Services          []string `json:"services" api:"required" doc:"services proposés, libellés exacts du référentiel national (au moins un)"`
	Publics           []string `json:"publics" doc:"publics spécifiquement accueillis : Jeunes, Étudiants, Familles et/ou enfants, Seniors, Femmes"`
	SpecificSupport   []string `json:"specific_support" doc:"accessibilité, prises en charge spécifiques : Surdité, Handicaps moteurs, Handicaps mentaux, Illettrisme, Langues étrangères (anglais), Langues étrangères (autres), Déficience visuelle"`
}

func (r *siteRequest) newSite() passnum.NewSite {
	return passnum.NewSite{Name: deref(r.Name), Address: deref(r.Address), AddressComplement: deref(r.AddressComplement),
		CommuneINSEE: deref(r.CommuneINSEE), Postcode: deref(r.Postcode), Latitude: r.Latitude, Longitude: r.Longitude,
		OpeningHours: deref(r.OpeningHours), Phone: deref(r.Phone), Email: deref(r.Email), Website: deref(r.Website),
		AccessibilityURL: deref(r.AccessibilityURL), Services: r.Services, Publics: r.Publics, SpecificSupport: r.SpecificSupport}
}

func createPlaceSite(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := checkOwnPlaceAccount(c, id); err != nil {
		return nil, err
	}
	var req siteRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	n := req.newSite()
	if err := n.Validate("").Err(); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		return tx.CreateSite(c.ctx(), c.actor, id, n)
	}, nil
}

func listPlaceSites(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	if err := checkOwnPlaceAccount(c, id); err != nil {
		return nil, err
	}
	return func(tx *store.Tx) (any, error) {
		items, err := tx.PlaceSites(c.ctx(), id)
		return newCompleteList(items), err
	}, nil
}
