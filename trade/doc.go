// Package trade models the International North–South Transport Corridor
// (INSTC) as data, and plans a shipment's milestones and arrival on it, so
// that a payment can wait on a shipment: a letter of credit pays when the
// goods are loaded, an importer's bank releases funds when they arrive.
//
// # The corridor
//
// Russia, Iran and India signed the INSTC agreement in St Petersburg in
// September 2000; it is promoted as a 7,200 km multimodal route between
// Mumbai and St Petersburg, an alternative to some 16,000 km by sea through
// the Suez Canal, "30% cheaper and 40% shorter". Cargo sails from Nhava
// Sheva (Jawaharlal Nehru Port, Mumbai) to Bandar Abbas on the Strait of
// Hormuz and crosses Iran by rail through Tehran and Qazvin to Rasht, near
// the Caspian. From there it goes on by one of two branches:
//
//   - the western route, along the west shore of the Caspian: to Astara on
//     the Iran–Azerbaijan border, through Baku to the Azerbaijan–Russia
//     border at Yalama–Samur, and on by Russian rail through Makhachkala and
//     Astrakhan to Moscow. The 164 km Qazvin–Rasht railway opened in 2019,
//     but the last 162 km from Rasht to Astara are not built: cargo goes by
//     lorry (180 km) and is loaded onto wagons at the Astara (Iran)
//     terminal. There the 1,435 mm Iranian gauge meets the 1,520 mm gauge
//     of Azerbaijan and Russia, whose track crosses the Astarachay into Iran.
//     The route with the Rasht–Astara railway is kept as a separate route,
//     marked Planned;
//   - the Caspian route: by the 37 km Rasht–Caspian railway (opened 2024) to
//     the port of Bandar Anzali, by ship across the Caspian and up the Volga
//     delta to Astrakhan, and by rail to Moscow.
//
// For comparison, the sea route sails from Nhava Sheva through the Suez
// Canal (Suez to Port Said) to St Petersburg and goes on by rail to Moscow.
//
// # The data
//
// Everything is data, in data/corridor.json, compiled into the binary and
// parsed once by Corridor; Parse and Load read the same format from
// elsewhere and refuse, with a *DataError naming the field and the rule,
// an unknown node, a leg that does not start where the one before it ends,
// a milestone at a node off the route, coordinates out of range, a distance
// that is not positive, and the other faults listed with the Rule values.
//
// A Node is a port, rail junction, border crossing or city, with
// coordinates for drawing the map (never for computing a distance or a
// time). A Leg is a movement between two nodes by sea, rail or road, with
// its distance in kilometres, its average speed in km per day, the typical
// dwell at its end (handling, transshipment, customs, waiting) and whether
// it crosses the break of gauge. A Route is a chain of legs with the
// milestones a shipment on it reaches: loaded, departed, border_crossed and
// arrived, each at a node.
//
// Every figure says where it comes from, in the source field of its node or
// leg. Sourced figures cite a page (news reports of Iran Railways,
// Azerbaijan Railways and Russian Railways, Wikipedia line diagrams, Railway
// Gazette, shipping analysts). Where no figure could be found it was
// derived, and the source says so after "estimate:", with the derivation:
//
//   - distances: the great-circle distance between the ends, times a stated
//     detour factor (1.2 for rail, 1.05 or 1.15 at sea); the sea leg from
//     Port Said to St Petersburg is the rest of the published 8,675 nautical
//     miles Mumbai–St Petersburg once the estimated leg to Suez and the canal
//     are taken off;
//   - speeds: sea legs use the container fleet's average 13.8 knots (Q1
//     2023) and Russian rail the 839 km/day Russian Railways reported for its
//     container trains; Iranian and Azerbaijani rail (400 km/day), road (500
//     km/day), the Caspian crossing (10 knots) and the canal transit are
//     estimates;
//   - dwell times are estimates, except the wait for the Suez convoy. They
//     were chosen so that the western route reproduces the first
//     Mumbai–Moscow container run of 2016 (23 days).
//
// Leg.Estimated and Node.Estimated report whether a source contains an
// estimate.
//
// # Plans
//
// Plan takes a route and a departure time and lays out the journey: each
// leg takes its distance divided by its speed, in whole hours rounded up
// (100 km at 240 km/day is 10 hours, 101 km is 11), then the dwell at its
// end. All arithmetic is in whole hours; nothing in the plan uses floating
// point. The plan lists a Stop per node (arrival, and departure after the
// dwell), the expected time of each milestone ("arrived" at the arrival,
// the others at the departure, once loading or formalities are over), the
// ETA at the destination, the distance and the transit time in hours and in
// days rounded up. Compare plans two routes for the same departure and
// reports the distance and the time one saves over the other.
//
// With the shipped data the western route is 6,632 km and 530 hours (23
// days) from Nhava Sheva to Moscow, the sea route through Suez 16,716 km
// and 730 hours (31 days): the corridor is 60% shorter and 27% faster. The
// time saving is less than the 40% claimed, because the sea route here
// sails direct to St Petersburg, where the claims assume 40 to 60 days with
// transshipment in a European hub; COMCEC's study (2017) put the sea route
// to Moscow at 32 days. A plan is an expectation, not a promise: congestion
// (ships waited weeks at Astrakhan in 2022), sanctions and border queues
// are not in the data.
//
// The package does no I/O of its own besides reading an io.Reader it is
// given, and never reads the clock: the departure comes from the caller.
package trade
