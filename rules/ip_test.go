package rules

import "testing"

func TestDetectIPForms(t *testing.T) {
	runCases(t, []detectCase{
		{give: "Die IP ist ::1.", want: []string{"IP_ADDRESS:::1"}},
		{give: "router fe80::1%eth0.", want: []string{"IP_ADDRESS:fe80::1%eth0"}},
		{give: "van 0:0:0:0:0:ffff:198.51.100.7 af", want: []string{"IP_ADDRESS:0:0:0:0:0:ffff:198.51.100.7"}},
		{give: "from 2001:db8:0:0:0:0:203.0.113.9.", want: []string{"IP_ADDRESS:2001:db8:0:0:0:0:203.0.113.9"}},
		{give: "ssh root@198.51.100.23 then", want: []string{"IP_ADDRESS:198.51.100.23"}},
		{give: "log in as admin@[2001:db8::7]:22", want: []string{"IP_ADDRESS:2001:db8::7"}},
		{give: "connect deploy@::1 now", want: []string{"IP_ADDRESS:::1"}},
		{give: "mail jan@example.com", want: []string{"EMAIL_ADDRESS:jan@example.com"}},
		// Look-alikes: an address glued to a word, a time, seven fields without an IPv4 tail.
		{give: "router fe80::1text", want: nil},
		{give: "om 10:30:15 uur", want: nil},
		{give: "ratio 1:2:3:4:5:6:7 ok", want: nil},
	})
}
