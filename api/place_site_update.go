package api

import (
	"passnum"
	"passnum/store"
)

// siteUpdateRequest changes a site: fields left out stay as they are.
type siteUpdateRequest struct {
	Name              *string   `json:"name"`
	Address           *string   `json:"address"`
	AddressComplement *string   `json:"address_complement" doc:"une chaîne vide l'efface"`
	CommuneINSEE      *string   `json:"commune_insee" doc:"changer de commune demande souvent de changer aussi le code postal"`
	Postcode          *string   `json:"postcode"`
	Latitude          *float64  `json:"latitude" doc:"avec la longitude"`
	Longitude         *float64  `json:"longitude" doc:"avec la latitude"`
	OpeningHours      *string   `json:"opening_hours" doc:"horaires au format OpenStreetMap"`
	Phone             *string   `json:"phone"`
	Email             *string   `json:"email"`
	Website           *string   `json:"website"`
	AccessibilityURL  *string   `json:"accessibility_url"`
	Services          *[]string `json:"services" doc:"remplace la liste entière"`
	Publics           *[]string `json:"publics" doc:"remplace la liste entière"`
	SpecificSupport   *[]string `json:"specific_support" doc:"remplace la liste entière"`
}

func updatePlaceSite(c *call) (func(*store.Tx) (any, error), error) {
	id, err := c.id("id")
	if err != nil {
		return nil, err
	}
	var req siteUpdateRequest
	if err := c.decode(&req); err != nil {
		return nil, err
	}
	u := passnum.SiteUpdate{Name: req.Name, Address: req.Address, AddressComplement: req.AddressComplement, CommuneINSEE: req.CommuneINSEE,
		Postcode: req.Postcode, Latitude: req.Latitude, Longitude: req.Longitude, OpeningHours: req.OpeningHours, Phone: req.Phone,
		Email: req.Email, Website: req.Website, AccessibilityURL: req.AccessibilityURL, Services: req.Services, Publics: req.Publics,
		SpecificSupport: req.SpecificSupport}
	return func(tx *store.Tx) (any, error) {
		return tx.UpdateSite(c.ctx(), c.actor, id, c.ownFilter(), u)
	}, nil
}
