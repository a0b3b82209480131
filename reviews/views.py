from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from isova.tenancy import member_required


@member_required
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "reviews/index.html")
