"""Resources (ISO 9001 7.1): people, tools and budget allocated to plans, and the workload.

A plan (an objective, a risk treatment plan, a finding's corrective actions: any model that
subclasses `ResourcePlan`) states the people it needs (`Allocation`: a member, estimated hours
over one or more months) and its tools and budget (`ResourceLine`). The allocation is part of
the plan's approval snapshot (`ResourcePlan.resources_snapshot`), so leaders approve it with
the plan and a later change supersedes that approval. `workload.py` sets each person's hours a
month (allocations spread evenly, actions' estimated hours in the month they are due) against
their capacity; `review_inputs.py` feeds the management review (9.3.2 d).
"""
