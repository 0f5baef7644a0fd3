from django.urls import path

from samen.shelter import api

urlpatterns = [
    path("places/", api.PlaceListView.as_view(), name="shelter-place-list"),
    path(
        "places/<int:pk>/availability/",
        api.AvailabilityView.as_view(),
        name="shelter-place-availability",
    ),
    path("referrals/", api.ReferralCreateView.as_view(), name="shelter-referral-create"),
    path("referrals/<int:pk>/matches/", api.MatchesView.as_view(), name="shelter-referral-matches"),
    path("referrals/<int:pk>/holds/", api.HoldCreateView.as_view(), name="shelter-hold-create"),
    path("holds/", api.OfferedHoldsView.as_view(), name="shelter-hold-list"),
    path("holds/<int:pk>/accept/", api.HoldAcceptView.as_view(), name="shelter-hold-accept"),
    path("holds/<int:pk>/decline/", api.HoldDeclineView.as_view(), name="shelter-hold-decline"),
    path(
        "holds/<int:pk>/decline/withdraw/",
        api.HoldDeclineWithdrawView.as_view(),
        name="shelter-hold-decline-withdraw",
    ),
    path("refusals/", api.RefusalListView.as_view(), name="shelter-refusals"),
    path(
        "holds/<int:pk>/placement/",
        api.PlacementStartView.as_view(),
        name="shelter-placement-start",
    ),
    path("placements/<int:pk>/end/", api.PlacementEndView.as_view(), name="shelter-placement-end"),
    path("dashboard/", api.DashboardView.as_view(), name="shelter-dashboard"),
    path("waiting/", api.WaitingListView.as_view(), name="shelter-waiting"),
    path("allocation/", api.AllocationView.as_view(), name="shelter-allocation"),
    path(
        "allocation/confirm/",
        api.AllocationConfirmView.as_view(),
        name="shelter-allocation-confirm",
    ),
    path("directory/locations/", api.LocationCreateView.as_view(), name="shelter-location-create"),
    path(
        "directory/locations/<int:pk>/",
        api.LocationUpdateView.as_view(),
        name="shelter-location-update",
    ),
    path("directory/places/", api.PlaceCreateView.as_view(), name="shelter-place-create"),
    path("directory/places/<int:pk>/", api.PlaceUpdateView.as_view(), name="shelter-place-update"),
    path(
        "directory/places/<int:pk>/contra-indications/",
        api.ContraCreateView.as_view(),
        name="shelter-contra-create",
    ),
    path(
        "directory/contra-indications/<int:pk>/end/",
        api.ContraEndView.as_view(),
        name="shelter-contra-end",
    ),
]
