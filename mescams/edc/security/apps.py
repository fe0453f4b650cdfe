from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "mescams.edc.security"
    label = "security"
    verbose_name = "HTTP security (log-in rate limit)"
