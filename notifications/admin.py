from django.contrib import admin

from notifications.models import CalendarFeed, Delivery, Notification, Preference


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "day", "subject", "read_at"]
    raw_id_fields = ["recipient"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = [
        "notification",
        "channel",
        "address",
        "status",
        "attempts",
        "abandoned_claims",
        "claimed_at",
        "sent_at",
    ]
    raw_id_fields = ["notification"]
    # Emails left "needs checking" by a worker that died twice while sending are found by their status.
    list_filter = ["status", "channel"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "daily_digest"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "revoked_at"]
    raw_id_fields = ["user"]
