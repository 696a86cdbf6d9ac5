// settings page
