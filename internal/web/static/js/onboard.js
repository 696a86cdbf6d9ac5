// onboard page
