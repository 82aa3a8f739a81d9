package api

import (
	"time"

	"passnum/store"
)

// The API's answer shapes for finding a place: the JSON of the store's
// read models of the same names.

// NearSite is one result of a search, nearest first: store.NearSite.
type NearSite struct {
	SiteID            string         `json:"site_id" doc:"identifiant du site (lieu, point de présence)"`
	Name              string         `json:"name" doc:"nom du lieu"`
	Address           string         `json:"address" doc:"adresse (voie)"`
	AddressComplement string         `json:"address_complement,omitempty" doc:"complément d'adresse"`
	Postcode          string         `json:"postcode"`
	Commune           string         `json:"commune" doc:"nom de la commune"`
	CommuneINSEE      string         `json:"commune_insee"`
	DistanceKm        float64        `json:"distance_km" doc:"distance à vol d'oiseau depuis le centre de la commune de départ, en km, à 0,1 près"`
	Latitude          float64        `json:"latitude"`
	Longitude         float64        `json:"longitude"`
	ApproximatePlace  bool           `json:"approximate_position,omitempty" doc:"vrai quand le lieu n'a pas de coordonnées : celles du centre de sa commune sont utilisées"`
	Services          []string       `json:"services" doc:"services du référentiel national proposés"`
	OpeningHours      string         `json:"opening_hours" doc:"horaires d'ouverture, syntaxe OpenStreetMap"`
	AcceptsPass       bool           `json:"accepts_pass" doc:"vrai quand le site appartient à un lieu labellisé en ce moment"`
	PlaceID           string         `json:"place_id,omitempty" doc:"organisation (lieu) à laquelle appartient le site ; absente pour une entrée d'annuaire importée"`
	NextSessions      []SessionOffer `json:"next_sessions" doc:"prochaines sessions avec des places libres"`
}

// SessionOffer is a dated session that still has seats, as the public
// sees it.
type SessionOffer struct {
	SessionID       string    `json:"session_id"`
	TrainingID      string    `json:"training_id"`
	TrainingTitle   string    `json:"training_title" doc:"intitulé de la formation"`
	Service         string    `json:"service" doc:"service du référentiel national"`
	Level           string    `json:"level,omitempty" doc:"niveau"`
	DurationMinutes int       `json:"duration_minutes"`
	PassesCost      int       `json:"passes_cost" doc:"nombre de pass que coûte la formation"`
	StartsAt        time.Time `json:"starts_at"`
	EndsAt          time.Time `json:"ends_at"`
	Day             string    `json:"day" doc:"jour (heure de Paris), AAAA-MM-JJ"`
	SeatsLeft       int       `json:"seats_left" doc:"places encore libres"`
}

func nearSiteAnswer(s store.NearSite) NearSite {
	return NearSite{
		SiteID: s.SiteID, Name: s.Name, Address: s.Address, AddressComplement: s.AddressComplement,
		Postcode: s.Postcode, Commune: s.Commune, CommuneINSEE: s.CommuneINSEE,
		DistanceKm: s.DistanceKm, Latitude: s.Latitude, Longitude: s.Longitude, ApproximatePlace: s.ApproximatePlace,
		Services: s.Services, OpeningHours: s.OpeningHours, AcceptsPass: s.AcceptsPass, PlaceID: s.PlaceID,
		NextSessions: answers(s.NextSessions, sessionOfferAnswer),
	}
}

func sessionOfferAnswer(o store.SessionOffer) SessionOffer { return SessionOffer(o) }

// SiteCard is a site's public card: store.SiteCard.
type SiteCard struct {
	SiteID             string   `json:"site_id"`
	OpenDataID         string   `json:"opendata_id" doc:"identifiant du lieu dans le standard national (colonne id)"`
	Pivot              string   `json:"pivot" doc:"SIRET ou RNA de la structure (colonne pivot)"`
	Name               string   `json:"name" doc:"nom du lieu (colonne nom)"`
	Commune            string   `json:"commune" doc:"nom de la commune (colonne commune)"`
	Postcode           string   `json:"postcode" doc:"code postal (colonne code_postal)"`
	CommuneINSEE       string   `json:"commune_insee" doc:"code INSEE de la commune (colonne code_insee)"`
	Departement        string   `json:"departement,omitempty" doc:"code du département"`
	DepartementName    string   `json:"departement_name,omitempty" doc:"nom du département"`
	Region             string   `json:"region,omitempty" doc:"code de la région"`
	RegionName         string   `json:"region_name,omitempty" doc:"nom de la région"`
	Address            string   `json:"address" doc:"adresse (colonne adresse)"`
	AddressComplement  string   `json:"address_complement" doc:"complément d'adresse (colonne complement_adresse)"`
	Latitude           *float64 `json:"latitude" doc:"latitude WGS84 (colonne latitude)"`
	Longitude          *float64 `json:"longitude" doc:"longitude WGS84 (colonne longitude)"`
	Typology           []string `json:"typology" doc:"types de lieu (colonne typologie)"`
	Phone              string   `json:"phone" doc:"téléphone (colonne telephone)"`
	Emails             []string `json:"emails" doc:"courriels de contact (colonne courriels)"`
	Websites           []string `json:"websites" doc:"sites internet (colonne site_web)"`
	OpeningHours       string   `json:"opening_hours" doc:"horaires, syntaxe OpenStreetMap (colonne horaires)"`
	Summary            string   `json:"summary" doc:"présentation courte (colonne presentation_resume)"`
	Description        string   `json:"description" doc:"présentation détaillée (colonne presentation_detail)"`
	Source             string   `json:"source" doc:"qui a collecté la donnée (colonne source)"`
	Itinerance         []string `json:"itinerance" doc:"Itinérant ou Fixe (colonne itinerance)"`
	ParentStructure    string   `json:"parent_structure" doc:"réseau ou structure parente (colonne structure_parente)"`
	UpdatedOn          string   `json:"updated_on" doc:"date de mise à jour, AAAA-MM-JJ (colonne date_maj)"`
	Services           []string `json:"services" doc:"services du référentiel national (colonne services)"`
	Publics            []string `json:"publics" doc:"publics spécifiquement adressés (colonne publics_specifiquement_adresses)"`
	SpecificSupport    []string `json:"specific_support" doc:"prises en charge spécifiques (colonne prise_en_charge_specifique)"`
	Fees               []string `json:"fees" doc:"frais à charge (colonne frais_a_charge) ; « Gratuit sous condition » pour un lieu qui accepte le pass"`
	NationalProgrammes []string `json:"national_programmes" doc:"dispositifs nationaux (colonne dispositif_programmes_nationaux)"`
	Labels             []string `json:"labels" doc:"formations et labels (colonne formations_labels)"`
	OtherLabels        []string `json:"other_labels" doc:"autres formations et labels (colonne autres_formations_labels)"`
	AccessModes        []string `json:"access_modes" doc:"modalités d'accès (colonne modalites_acces)"`
	SupportModes       []string `json:"support_modes" doc:"modalités d'accompagnement (colonne modalites_accompagnement)"`
	AccessibilityURL   string   `json:"accessibility_url" doc:"fiche Accès libre (colonne fiche_acces_libre)"`
	BookingURL         string   `json:"booking_url" doc:"prise de rendez-vous en ligne (colonne prise_rdv)"`

	OrganisationName string         `json:"organisation_name,omitempty" doc:"organisation à laquelle appartient le site"`
	PlaceID          string         `json:"place_id,omitempty" doc:"identifiant de l'organisation (lieu) ; absent pour une entrée d'annuaire importée"`
	AcceptsPass      bool           `json:"accepts_pass" doc:"vrai quand le site appartient à un lieu labellisé en ce moment"`
	UpcomingSessions []SessionOffer `json:"upcoming_sessions" doc:"prochaines sessions qui ont encore des places libres"`
}

func siteCardAnswer(c store.SiteCard) SiteCard {
	return SiteCard{
		SiteID:             c.SiteID,
		OpenDataID:         c.OpenDataID,
		Pivot:              c.Pivot,
		Name:               c.Name,
		Commune:            c.Commune,
		Postcode:           c.Postcode,
		CommuneINSEE:       c.CommuneINSEE,
		Departement:        c.Departement,
		DepartementName:    c.DepartementName,
		Region:             c.Region,
		RegionName:         c.RegionName,
		Address:            c.Address,
		AddressComplement:  c.AddressComplement,
		Latitude:           c.Latitude,
		Longitude:          c.Longitude,
		Typology:           c.Typology,
		Phone:              c.Phone,
		Emails:             c.Emails,
		Websites:           c.Websites,
		OpeningHours:       c.OpeningHours,
		Summary:            c.Summary,
		Description:        c.Description,
		Source:             c.Source,
		Itinerance:         c.Itinerance,
		ParentStructure:    c.ParentStructure,
		UpdatedOn:          c.UpdatedOn,
		Services:           c.Services,
		Publics:            c.Publics,
		SpecificSupport:    c.SpecificSupport,
		Fees:               c.Fees,
		NationalProgrammes: c.NationalProgrammes,
		Labels:             c.Labels,
		OtherLabels:        c.OtherLabels,
		AccessModes:        c.AccessModes,
		SupportModes:       c.SupportModes,
		AccessibilityURL:   c.AccessibilityURL,
		BookingURL:         c.BookingURL,
		OrganisationName:   c.OrganisationName,
		PlaceID:            c.PlaceID,
		AcceptsPass:        c.AcceptsPass,
		UpcomingSessions:   answers(c.UpcomingSessions, sessionOfferAnswer),
	}
}
