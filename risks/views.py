from django.http import HttpResponse
from django.shortcuts import render

from isova.tenancy import OrgRequest, member_required


@member_required
def index(request: OrgRequest) -> HttpResponse:
    return render(request, "risks/index.html")
