from ninja import NinjaAPI

api = NinjaAPI(title="careline API", version="1", urls_namespace="api")
